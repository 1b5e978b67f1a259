using System.Runtime.InteropServices;
using System.Text;

namespace Capture.Netronome.Native;

/// <summary>
/// Reads whether generic receive offload is on (ETHTOOL_GGRO through SIOCETHTOOL). With GRO the
/// kernel merges TCP segments after XDP and before the capture, so the capture sees fewer, larger
/// packets than the wire carried: an IDS capture interface wants it off.
/// </summary>
internal static unsafe partial class ReceiveOffload
{
    private const uint EthtoolGetGro = 0x2b;
    private const nuint SiocEthtool = 0x8946;

    /// <summary>True when GRO is on; null when it cannot be read (no such interface, no ethtool support).</summary>
    public static bool? IsGroOn(string interfaceName)
    {
        if (string.IsNullOrEmpty(interfaceName) || interfaceName.Length > 15)
        {
            return null;
        }

        int fd = Socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            // struct ethtool_value { u32 cmd; u32 data; } behind struct ifreq { char name[16]; void *data; ... } (40 bytes).
            uint* value = stackalloc uint[2];
            value[0] = EthtoolGetGro;
            value[1] = 0;
            byte* request = stackalloc byte[40];
            var ifreq = new Span<byte>(request, 40);
            ifreq.Clear();
            Encoding.ASCII.GetBytes(interfaceName, ifreq[..15]);
            *(nint*)(request + 16) = (nint)value;
            return Ioctl(fd, SiocEthtool, request) == 0 ? value[1] != 0 : null;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
