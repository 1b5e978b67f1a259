using System.Globalization;

namespace Capture.Bypass.Bench;

/// <summary>
/// CPU time of another process: the sum of its threads' on-CPU nanoseconds from
/// /proc/PID/task/*/schedstat (the scheduler's own clock; /proc/PID/stat counts 10 ms ticks,
/// too coarse for a traffic window of a tenth of a second).
/// </summary>
internal static class ProcessCpu
{
    public static double Seconds(int pid)
    {
        long nanoseconds = 0;
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                string text = File.ReadAllText(Path.Combine(task, "schedstat"));
                nanoseconds += long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return nanoseconds / 1e9;
    }
}
