using Capture.Linux.Xdp.Interop;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// Where pinned flow maps live: &lt;root&gt;/&lt;iface&gt;/v&lt;layout&gt;/flow_v4 and flow_v6. The
/// layout version changes with the key or value layout, so a pin of another layout is never
/// reused silently.
/// </summary>
internal static unsafe class PinLayout
{
    internal static string InterfaceDirectory(string root, string interfaceName) => Path.Combine(root, interfaceName);

    internal static string VersionDirectory(string root, string interfaceName) =>
        Path.Combine(root, interfaceName, "v" + XdpBypassFilter.LayoutVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Removes everything under &lt;root&gt;/&lt;iface&gt; except the current layout's directory.</summary>
    internal static void RemoveOtherLayouts(string root, string interfaceName, ILogger logger, List<string> replaced)
    {
        string directory = InterfaceDirectory(root, interfaceName);
        if (!Directory.Exists(directory))
        {
            return;
        }

        string current = VersionDirectory(root, interfaceName);
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (string.Equals(entry, current, StringComparison.Ordinal))
            {
                continue;
            }

            EbpfLog.StalePinsRemoved(logger, interfaceName, entry);
            replaced.Add(entry);
            Remove(entry);
        }
    }

    /// <summary>Removes &lt;root&gt;/&lt;iface&gt; and, when it is empty then, &lt;root&gt;.</summary>
    internal static void RemoveAll(string root, string interfaceName)
    {
        string directory = InterfaceDirectory(root, interfaceName);
        if (Directory.Exists(directory))
        {
            Remove(directory);
        }

        try
        {
            if (Directory.Exists(root) && !Directory.EnumerateFileSystemEntries(root).Any())
            {
                Directory.Delete(root);
            }
        }
        catch (IOException)
        {
            // Another interface pinned meanwhile: keep the root.
        }
    }

    /// <summary>
    /// If a compatible pin exists at <paramref name="path"/>, makes <paramref name="map"/> reuse it
    /// (before load) and returns true. A pin of another layout is reported and removed.
    /// </summary>
    internal static bool TryReuse(nint map, string path, uint type, uint capacity, string interfaceName, ILogger logger, List<string> replaced)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        int fd = Libbpf.ObjGet(path);
        if (fd < 0)
        {
            EbpfLog.PinReplaced(logger, interfaceName, path, "unreadable: " + Libc.ErrorText(-fd), "a flow map");
            replaced.Add(path);
            File.Delete(path);
            return false;
        }

        try
        {
            // struct bpf_map_info: type, id, key_size, value_size, max_entries, map_flags.
            uint* info = stackalloc uint[32];
            new Span<uint>(info, 32).Clear();
            uint length = 32 * sizeof(uint);
            uint keySize = Libbpf.MapKeySize(map);
            uint valueSize = Libbpf.MapValueSize(map);
            if (Libbpf.ObjGetInfoByFd(fd, info, &length) != 0
                || info[0] != type || info[2] != keySize || info[3] != valueSize || info[4] != capacity)
            {
                string found = $"type {info[0]}, key {info[2]} B, value {info[3]} B, {info[4]} entries";
                string needed = $"type {type}, key {keySize} B, value {valueSize} B, {capacity} entries";
                EbpfLog.PinReplaced(logger, interfaceName, path, found, needed);
                replaced.Add(path);
                File.Delete(path);
                return false;
            }

            int rc = Libbpf.MapReuseFd(map, fd);
            if (rc != 0)
            {
                throw BpfErrors.Create($"{interfaceName}: reusing pinned map {path}", rc);
            }

            EbpfLog.PinReused(logger, interfaceName, path);
            return true;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Pins a loaded map at <paramref name="path"/>, creating the directories.</summary>
    internal static void Pin(int mapFd, string path, string interfaceName)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int rc = Libbpf.ObjPin(mapFd, path);
        if (rc != 0)
        {
            throw BpfErrors.Create($"{interfaceName}: pinning map at {path} (is a bpffs mounted at {Path.GetDirectoryName(path)}?)", rc);
        }
    }

    private static void Remove(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
