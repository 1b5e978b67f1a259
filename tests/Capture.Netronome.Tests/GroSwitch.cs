using System.Runtime.InteropServices;
using System.Text;

namespace Capture.Netronome.Tests;

/// <summary>
/// Turns generic receive offload on or off on an interface (ETHTOOL_SGRO through SIOCETHTOOL), to
/// check that the plugin notices it (GRO merges TCP segments before the capture sees them).
/// </summary>
internal static unsafe partial class GroSwitch
{
    public static void Set(string interfaceName, bool on)
    {
        int fd = Socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        if (fd < 0)
        {
            throw new InvalidOperationException($"socket for SIOCETHTOOL: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            // struct ethtool_value { u32 cmd; u32 data; }, ETHTOOL_SGRO = 0x2c.
            uint* value = stackalloc uint[2];
            value[0] = 0x2c;
            value[1] = on ? 1u : 0u;
            byte* request = stackalloc byte[40];
            var ifreq = new Span<byte>(request, 40);
            ifreq.Clear();
            Encoding.ASCII.GetBytes(interfaceName, ifreq[..15]);
            *(nint*)(request + 16) = (nint)value;
            if (Ioctl(fd, 0x8946 /* SIOCETHTOOL */, request) != 0)
            {
                throw new InvalidOperationException($"{interfaceName}: turning GRO {(on ? "on" : "off")} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
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
