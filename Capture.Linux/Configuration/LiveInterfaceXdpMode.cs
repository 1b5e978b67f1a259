namespace Capture.Linux.Configuration;

/// <summary>Where the XDP filter runs (<c>xdp-mode</c>).</summary>
public enum LiveInterfaceXdpMode
{
    /// <summary><c>soft</c>: generic (SKB) XDP in the kernel; works on any driver. The default.</summary>
    Soft,

    /// <summary><c>driver</c>: native XDP in the NIC driver.</summary>
    Driver,

    /// <summary><c>hw</c>: offloaded to the NIC (programs and maps bound to the device).</summary>
    Hardware,
}
