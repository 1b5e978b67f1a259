using Capture.Tests.Kernel;

namespace Capture.Bypass.Bench;

/// <summary>
/// A VXLAN device in the bench's namespace (VNI <see cref="Vni"/>, UDP 4789, from the peer end's
/// address to the host end's over the veth): frames the sender writes to it reach the host end
/// encapsulated by the kernel, every flow inside the one tunnel. Made once per namespace; it goes
/// with the namespace.
/// </summary>
internal static class VxlanTunnel
{
    public const int Vni = 42;

    private const string Device = "bybvx";
    private static readonly HashSet<string> s_made = [];

    /// <summary>The device's name, made first when the namespace has none.</summary>
    public static string Ensure(VethNamespace net)
    {
        if (s_made.Add(net.NamespaceName))
        {
            Exec.Run("ip", "-n", net.NamespaceName, "link", "add", Device, "type", "vxlan", "id", Vni.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "local", net.PeerIPv4.ToString(), "remote", net.HostIPv4.ToString(), "dstport", "4789", "dev", net.PeerInterface);
            Exec.Run("ip", "-n", net.NamespaceName, "link", "set", Device, "mtu", "1450", "up");
        }

        return Device;
    }
}
