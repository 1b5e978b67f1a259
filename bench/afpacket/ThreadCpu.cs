using System.Globalization;

namespace Capture.AfPacket.Bench;

/// <summary>CPU seconds of this process's threads whose name starts with a prefix (the capture threads), from /proc (10 ms ticks).</summary>
internal static class ThreadCpu
{
    public static double Seconds(string namePrefix)
    {
        long ticks = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string[] fields = File.ReadAllText(Path.Combine(task, "stat")).Split(") ")[1].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return ticks / 100.0;
    }
}
