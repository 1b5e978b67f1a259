// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: what `ip -j link show` says about XDP on an
// interface, read independently of the code under test.
using System.Text.Json;

namespace Capture.Tests.Kernel;

/// <summary>The XDP program(s) attached to an interface, from <c>ip -j link show dev IFACE</c>.</summary>
/// <param name="ProgramId">The attached program id (the first one when several modes are used), 0 when none.</param>
/// <param name="Mode">iproute2's mode number: 1 driver, 2 generic (skb), 3 offload, 4 several; 0 when none.</param>
/// <param name="ProgramName">The program's name, "" when none.</param>
public readonly record struct XdpLinkState(uint ProgramId, int Mode, string ProgramName)
{
    /// <summary>Whether a program is attached.</summary>
    public bool Attached => ProgramId != 0;

    /// <summary>Reads the state of an interface in the default namespace (or in <paramref name="namespaceName"/>).</summary>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="namespaceName">A namespace, or null for the default one.</param>
    /// <returns>The state.</returns>
    public static XdpLinkState Read(string interfaceName, string? namespaceName = null)
    {
        string json = namespaceName is null
            ? IpCommand.Run("-j", "link", "show", "dev", interfaceName)
            : IpCommand.Run("-n", namespaceName, "-j", "link", "show", "dev", interfaceName);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement link = document.RootElement[0];
        if (!link.TryGetProperty("xdp", out JsonElement xdp))
        {
            return default;
        }

        int mode = xdp.TryGetProperty("mode", out JsonElement m) ? m.GetInt32() : 0;
        JsonElement prog = default;
        if (xdp.TryGetProperty("prog", out JsonElement p))
        {
            prog = p;
        }
        else if (xdp.TryGetProperty("attached", out JsonElement attached) && attached.GetArrayLength() > 0)
        {
            prog = attached[0].GetProperty("prog");
        }

        if (prog.ValueKind != JsonValueKind.Object)
        {
            return new XdpLinkState(0, mode, string.Empty);
        }

        return new XdpLinkState(prog.GetProperty("id").GetUInt32(), mode, prog.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? string.Empty : string.Empty);
    }
}
