using System.Globalization;
using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>
/// The UDP ports of <c>decoder.vxlan</c> and <c>decoder.geneve</c> as Suricata writes them:
/// <c>4789</c>, <c>'[8472, 4789]'</c>, or a <c>vars.port-groups</c> variable such as
/// <c>$VXLAN_PORTS</c> (stock suricata.yaml).
/// </summary>
internal static class DecoderTunnelPorts
{
    // Variables naming variables; deeper than this is a loop.
    private const int MaxVariableDepth = 8;

    /// <summary>The ports of <c>decoder.&lt;name&gt;</c>: none when <c>enabled</c> is false, the default when <c>ports</c> is absent.</summary>
    /// <exception cref="ConfigurationException">A port, a variable or the count is not allowed, naming the key.</exception>
    public static IReadOnlyList<int> Read(ConfigNode root, string name, IReadOnlyList<int> defaultPorts, int maxPorts)
    {
        if (root["decoder"]?[name] is not { Kind: ConfigNodeKind.Mapping } section)
        {
            return defaultPorts;
        }

        if (!section.GetBoolean("enabled", true))
        {
            return [];
        }

        if (section["ports"] is not { } node)
        {
            return defaultPorts;
        }

        List<int> ports = [];
        Collect(root, node, node.AsText() ?? string.Empty, ports, 0);
        if (ports.Count > maxPorts)
        {
            throw node.Error($"[{string.Join(", ", ports)}] are {ports.Count} ports; this host decodes {name} on at most {maxPorts}");
        }

        return ports;
    }

    private static void Collect(ConfigNode root, ConfigNode key, string text, List<int> ports, int depth)
    {
        string list = text.Trim();
        if (list.StartsWith('[') && list.EndsWith(']'))
        {
            list = list[1..^1];
        }

        foreach (string raw in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.StartsWith('$'))
            {
                string variable = raw[1..];
                if (depth >= MaxVariableDepth || root.Find("vars.port-groups." + variable) is not { } value)
                {
                    throw key.Error(depth >= MaxVariableDepth
                        ? $"'{raw}' names variables more than {MaxVariableDepth} deep"
                        : $"'{raw}' is not defined in vars.port-groups");
                }

                Collect(root, key, value.AsText() ?? string.Empty, ports, depth + 1);
            }
            else if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535)
            {
                if (!ports.Contains(port))
                {
                    ports.Add(port);
                }
            }
            else
            {
                throw key.Error($"'{raw}' is not a UDP port; expected ports 1..65535 ('4789', '[8472, 4789]') or a vars.port-groups variable");
            }
        }
    }
}
