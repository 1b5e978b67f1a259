using System.Globalization;

namespace FlowEngine.Configuration;

/// <summary>
/// The memory this process can have: the machine's (<c>MemTotal</c> in <c>/proc/meminfo</c>), or
/// its memory cgroup's limit when that is lower (cgroup v2 <c>memory.max</c>, v1
/// <c>memory.limit_in_bytes</c>). A memcap above it is a configuration error: the kernel's OOM
/// killer would end the process, without a message, once traffic filled the table.
/// </summary>
public static class MachineMemory
{
    /// <summary>Reads the limit; null where it cannot be read (not Linux, no <c>/proc</c>).</summary>
    /// <returns>Bytes, and where the figure comes from (for messages).</returns>
    public static (long Bytes, string Source)? Read()
    {
        long? total = ReadMemTotal();
        if (total is null)
        {
            return null;
        }

        (long Bytes, string Source) limit = (total.Value, "MemTotal in /proc/meminfo");
        if (ReadCgroupLimit() is { } cgroup && cgroup.Bytes < limit.Bytes)
        {
            limit = cgroup;
        }

        return limit;
    }

    /// <summary>Whether a memcap is more than this process can have; the problem, said for an operator, when it is.</summary>
    /// <param name="memcap">The memcap, bytes.</param>
    /// <param name="problem">What is wrong and what to do.</param>
    /// <returns>True when the memcap is too large.</returns>
    public static bool Exceeds(long memcap, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? problem)
    {
        problem = null;
        if (Read() is not { } limit || memcap <= limit.Bytes)
        {
            return false;
        }

        problem = $"{Describe(memcap)} is more than the memory this machine has for the process ({Describe(limit.Bytes)}, {limit.Source}); a memcap is the most the flow table may take, so set it below that";
        return true;
    }

    /// <summary>A size in the units people read (<c>64 GiB</c>).</summary>
    /// <param name="bytes">The size.</param>
    /// <returns>The text.</returns>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{bytes / (double)(1L << 20):0.#} MiB"),
        _ => FormattableString.Invariant($"{bytes} bytes"),
    };

    private static long? ReadMemTotal()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/meminfo");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (string line in lines)
        {
            // "MemTotal:       24683772 kB"
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                {
                    return kib * 1024;
                }
            }
        }

        return null;
    }

    private static (long Bytes, string Source)? ReadCgroupLimit()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (string line in lines)
        {
            // v2: "0::/path"; v1: "4:memory:/path". In a container the mount's root is often the
            // process's own cgroup, so the limit is also looked for there.
            string[] parts = line.Split(':', 3);
            if (parts.Length < 3)
            {
                continue;
            }

            string path = parts[2].TrimStart('/');
            if (parts[1].Length == 0)
            {
                if (FirstLimit(Path.Combine("/sys/fs/cgroup", path, "memory.max"), "/sys/fs/cgroup/memory.max") is { } v2)
                {
                    return v2;
                }
            }
            else if (parts[1].Split(',').Contains("memory", StringComparer.Ordinal)
                && FirstLimit(Path.Combine("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes"), "/sys/fs/cgroup/memory/memory.limit_in_bytes") is { } v1)
            {
                return v1;
            }
        }

        return null;
    }

    private static (long Bytes, string Source)? FirstLimit(params string[] files)
    {
        foreach (string file in files)
        {
            // Most machines have one of the two layouts: a missing file is looked for, not thrown for
            // (each throw costs start-up time, and this runs several times at every start).
            if (!File.Exists(file))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(file).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "max" (v2) or a huge page-rounded number (v1) mean no limit.
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) && bytes < long.MaxValue / 2)
            {
                return (bytes, $"the memory cgroup's limit in {file}");
            }

            return null;
        }

        return null;
    }
}
