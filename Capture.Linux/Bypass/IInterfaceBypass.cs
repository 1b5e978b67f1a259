using Capture.Abstractions;

namespace Capture.Linux.Bypass;

/// <summary>
/// The kernel-side bypass of one interface (an XDP filter and its flow maps), shared by all the
/// interface's fanout sockets. Live plugins built on these rings plug in their own.
/// </summary>
public interface IInterfaceBypass : IDisposable
{
    /// <summary>The strategy over the interface's maps, handed to every source of the interface.</summary>
    IBypassStrategy Strategy { get; }

    /// <summary>
    /// Takes the filter off the interface when capture stops. The maps stay readable until
    /// <see cref="IDisposable.Dispose"/> so the flows' final counters can still be folded.
    /// </summary>
    void Detach();

    /// <summary>
    /// Flows bypassed before this process started (reused pinned maps), with their counters;
    /// take-once: later calls return an empty list. None by default.
    /// </summary>
    IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows() => [];

    /// <summary>The engine recreated a restored flow: the strategy takes it over with the engine's record.</summary>
    /// <exception cref="NotSupportedException">This bypass restores no flows.</exception>
    void Adopt(in RestoredBypassedFlow flow, BypassRecord record) =>
        throw new NotSupportedException("this kernel bypass restores no flows");
}
