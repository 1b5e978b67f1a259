using Capture.Abstractions;

namespace Capture.Netronome.Tests;

/// <summary>Builds a <c>netronome:</c> section as the host's YAML loader would (paths, file, lines).</summary>
internal static class TestConfig
{
    public const string File = "netronome-test.yaml";

    /// <summary>One entry per array: its keys and values, in order; the first entry starts at line 3.</summary>
    public static ConfigNode Section(params (string Key, string Value)[][] entries)
    {
        ConfigNode root = ConfigNode.CreateMapping(string.Empty, File, 1);
        ConfigNode list = ConfigNode.CreateSequence("netronome", File, 2);
        int line = 3;
        for (int i = 0; i < entries.Length; i++)
        {
            ConfigNode item = ConfigNode.CreateMapping($"netronome.{i}", File, line);
            foreach ((string key, string value) in entries[i])
            {
                item.Set(key, ConfigNode.CreateScalar($"netronome.{i}.{key}", value, File, line++));
            }

            list.Add(item);
        }

        root.Set("netronome", list);
        return root;
    }

    private static int s_clusterId = 20000 + (Environment.ProcessId % 20000);

    /// <summary>
    /// A fanout group id nobody else uses: fanout groups are per network namespace (the host ends
    /// all live in the default one), and a socket of an earlier scenario still held open by an
    /// unreleased batch would otherwise share its group with the new sockets and take packets.
    /// </summary>
    public static int NextClusterId() => 20000 + (Interlocked.Increment(ref s_clusterId) % 40000);

    /// <summary>The usual emulated offload interface: shared maps, cluster_qm, bypass in the kernel.</summary>
    public static (string Key, string Value)[] Emulated(string iface, int threads = 1, string mode = "driver", params (string Key, string Value)[] extra) =>
    [
        ("interface", iface),
        ("threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("cluster-id", NextClusterId().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("cluster-type", "cluster_qm"),
        ("bypass", "yes"),
        ("xdp-mode", mode),
        ("use-percpu-hash", "no"),
        ("block-size", "32kb"),
        ("ring-size", "4096"),
        .. extra,
    ];
}
