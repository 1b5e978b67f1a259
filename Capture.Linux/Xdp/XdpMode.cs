namespace Capture.Linux.Xdp;

/// <summary>Where the XDP bypass filter runs (<c>xdp-mode</c>).</summary>
public enum XdpMode
{
    /// <summary><c>soft</c>: generic XDP in the network stack (XDP_FLAGS_SKB_MODE); works on every interface.</summary>
    Soft = 0,

    /// <summary><c>driver</c>: native XDP in the driver (XDP_FLAGS_DRV_MODE); needs driver support (veth, mlx5, i40e, ...).</summary>
    Driver = 1,

    /// <summary><c>hw</c>: offloaded to the NIC (XDP_FLAGS_HW_MODE); program and maps bound to the device, shared maps only.</summary>
    Hardware = 2,
}
