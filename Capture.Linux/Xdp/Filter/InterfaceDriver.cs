using System.Text;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>The driver behind an interface, and what XDP it can do; for clear refusals.</summary>
public static unsafe class InterfaceDriver
{
    // Drivers with native XDP in mainline kernels (a hint for the operator, not a guarantee).
    private static readonly HashSet<string> s_nativeXdp = new(StringComparer.Ordinal)
    {
        "veth", "virtio_net", "tun", "mlx4_en", "mlx4_core", "mlx5_core", "i40e", "ice", "ixgbe", "ixgbevf",
        "igb", "igc", "bnxt_en", "nfp", "ena", "qede", "sfc", "efx", "thunder-nicvf", "dpaa2-eth", "stmmac",
        "mvneta", "mvpp2", "netsec", "xen-netfront", "hv_netvsc", "cpsw", "fec", "enetc", "lan966x", "tsnep",
    };

    /// <summary>The driver name: /sys/class/net/&lt;if&gt;/device/driver, else ETHTOOL_GDRVINFO; "unknown" otherwise.</summary>
    public static string Name(string interfaceName)
    {
        try
        {
            FileSystemInfo? target = new FileInfo($"/sys/class/net/{interfaceName}/device/driver").ResolveLinkTarget(returnFinalTarget: true);
            if (target is not null)
            {
                return target.Name;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return EthtoolDriver(interfaceName) ?? "unknown";
    }

    /// <summary>Whether the driver is known to have native XDP.</summary>
    public static bool HasNativeXdp(string driver) => s_nativeXdp.Contains(driver);

    private static string? EthtoolDriver(string interfaceName)
    {
        int fd = Libc.Socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            // struct ethtool_drvinfo: cmd (ETHTOOL_GDRVINFO = 3), driver[32], ...; 196 bytes.
            byte* info = stackalloc byte[196];
            new Span<byte>(info, 196).Clear();
            *(uint*)info = 3;

            // struct ifreq: name[16], then ifr_data; 40 bytes.
            byte* request = stackalloc byte[40];
            Span<byte> ifreq = new(request, 40);
            ifreq.Clear();
            int written = Encoding.ASCII.GetBytes(interfaceName.AsSpan(0, Math.Min(15, interfaceName.Length)), ifreq[..16]);
            ifreq[written] = 0;
            *(nint*)(request + 16) = (nint)info;
            if (Libc.Ioctl(fd, 0x8946 /* SIOCETHTOOL */, request) != 0)
            {
                return null;
            }

            ReadOnlySpan<byte> driver = new(info + 4, 32);
            int end = driver.IndexOf((byte)0);
            string name = Encoding.ASCII.GetString(end < 0 ? driver : driver[..end]);
            return name.Length == 0 ? null : name;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
