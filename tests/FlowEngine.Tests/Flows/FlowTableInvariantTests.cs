using System.Diagnostics;
using FlowEngine.Flows;

namespace FlowEngine.Tests.Flows;

/// <summary>
/// The tests run the flow table's free-cluster invariants as Debug.Asserts: they are built in Debug
/// with FlowEngine in Debug, and a broken invariant stops the operation that broke it.
/// </summary>
public class FlowTableInvariantTests
{
    [Fact]
    public void The_engine_under_test_is_built_with_its_debug_asserts()
    {
        DebuggableAttribute? debuggable = (DebuggableAttribute?)Attribute.GetCustomAttribute(typeof(FlowTable).Assembly, typeof(DebuggableAttribute));
        Assert.NotNull(debuggable);
        Assert.True(debuggable.IsJITOptimizerDisabled, "FlowEngine is tested as a Debug build, where Debug.Assert runs");
    }

    [Fact]
    public void A_free_cluster_on_a_slot_in_use_fails_the_tables_assert()
    {
        FlowTable table = new(16, 16, 1);
        for (int i = 0; i < 4; i++)
        {
            FlowKey key = new() { LowPort = (ushort)i, Protocol = 17 };
            table.TryAllocate(ref key, (uint)i * 2654435761u);
        }

        // The free list starts at slot 4; mark it in use behind the table's back.
        Assert.Equal(4, table.FirstFree);
        table.Slots[4].Flags = FlowSlotFlags.InUse;
        KeepAll visitor = default;

        AssertFailedException failure = Assert.Throws<AssertFailedException>(() => ThrowingListener.Run(() => table.Scan(ref visitor, CancellationToken.None, out _)));
        Assert.Contains("a free cluster starts on a slot not in use", failure.Message, StringComparison.Ordinal);
    }

    private struct KeepAll : IFlowSlotVisitor
    {
        public readonly bool Visit(int slot) => false;
    }

    private sealed class AssertFailedException(string message) : Exception(message);

    /// <summary>Turns a failed Debug.Assert into an exception for the duration of one call (the default would end the process).</summary>
    private sealed class ThrowingListener : TraceListener
    {
        private static readonly Lock Gate = new();

        public static void Run(Action action)
        {
            lock (Gate)
            {
                TraceListener[] saved = [.. Trace.Listeners.Cast<TraceListener>()];
                Trace.Listeners.Clear();
                Trace.Listeners.Add(new ThrowingListener());
                try
                {
                    action();
                }
                finally
                {
                    Trace.Listeners.Clear();
                    Trace.Listeners.AddRange(saved);
                }
            }
        }

        public override void Fail(string? message, string? detailMessage) => throw new AssertFailedException(message ?? "assert failed");

        public override void Write(string? message)
        {
        }

        public override void WriteLine(string? message)
        {
        }
    }
}
