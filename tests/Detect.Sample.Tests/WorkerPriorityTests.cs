using System.Globalization;
using Detect.Sample.Hosting;

namespace Detect.Sample.Tests;

public sealed class WorkerPriorityTests
{
    [Fact]
    public void Worker_priority_sets_the_nice_value_of_every_thread_and_threads_started_after_inherit_it()
    {
        int own = NiceOf("/proc/thread-self/stat");
        int raised = own < 19 ? own + 1 : own - 1;
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int before = int.MinValue;
        var other = new Thread(() =>
        {
            before = NiceOf("/proc/thread-self/stat");
            started.Set();
            release.Wait();
        });
        other.Start();
        started.Wait();
        try
        {
            Assert.Equal(own, before);
            WorkerPriority.Apply(raised);
            Assert.All(Directory.GetDirectories("/proc/self/task"), task => Assert.Equal(raised, NiceOf(Path.Combine(task, "stat"))));
            int inherited = int.MinValue;
            var later = new Thread(() => inherited = NiceOf("/proc/thread-self/stat"));
            later.Start();
            later.Join();
            Assert.Equal(raised, inherited);
        }
        finally
        {
            release.Set();
            other.Join();
            // Back to where the test process was (the tests run as root, which may lower it again).
            WorkerPriority.Apply(own);
        }
    }

    /// <summary>Field 19 of a task's stat: its nice value (fields counted after the name's closing parenthesis).</summary>
    private static int NiceOf(string stat)
    {
        string text = File.ReadAllText(stat);
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
