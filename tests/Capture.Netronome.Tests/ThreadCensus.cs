namespace Capture.Netronome.Tests;

/// <summary>Counts this process's threads by kernel name (/proc/self/task/*/comm; names are cut to 15 characters).</summary>
internal static class ThreadCensus
{
    public static int Count(string name)
    {
        string comm = name.Length > 15 ? name[..15] : name;
        int count = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (string.Equals(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'), comm, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return count;
    }

    public static int CountPrefix(string prefix)
    {
        int count = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
        }

        return count;
    }
}
