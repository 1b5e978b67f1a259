using System.Runtime.InteropServices;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// The filter's settings (struct filter_config in Xdp/Bpf/xdp_bypass.c, alone in the object's
/// .rodata.config, 16 bytes): the UDP ports it takes as VXLAN and Geneve, written between open and load, and whether
/// the build follows tunnels at all (the NIC build does not), read from the object.
/// </summary>
internal static class FilterConfig
{
    /// <summary>VXLAN ports the filter holds (vxlan_ports).</summary>
    public const int VxlanPortCapacity = 4;

    private const int Size = 16;
    private const int FollowsTunnelsOffset = 2 * VxlanPortCapacity;
    private const int GenevePortOffset = FollowsTunnelsOffset + 2;

    /// <summary>Sets the object's VXLAN ports (unused slots 0) and Geneve port (0: none) from the options; whether the build follows tunnels.</summary>
    /// <exception cref="BpfException">The object has no such settings, or libbpf refused.</exception>
    public static unsafe bool Apply(nint bpfObject, XdpBypassOptions options, string file)
    {
        nint map = Libbpf.FindMapByName(bpfObject, ".rodata.config");
        nuint size = 0;
        byte* current = map == 0 ? null : (byte*)Libbpf.MapInitialValue(map, &size);
        if (current == null || size != Size)
        {
            throw new BpfException($"{options.Interface}: {file} has no filter_config ({Size}-byte .rodata.config): it is not this version's capture bypass filter");
        }

        byte* config = stackalloc byte[Size];
        new ReadOnlySpan<byte>(current, Size).CopyTo(new Span<byte>(config, Size));
        Span<ushort> ports = MemoryMarshal.Cast<byte, ushort>(new Span<byte>(config, FollowsTunnelsOffset));
        for (int i = 0; i < VxlanPortCapacity; i++)
        {
            ports[i] = i < options.VxlanPorts.Count ? (ushort)options.VxlanPorts[i] : (ushort)0;
        }

        MemoryMarshal.Write(new Span<byte>(config + GenevePortOffset, sizeof(ushort)), (ushort)options.GenevePort);
        int rc = Libbpf.MapSetInitialValue(map, config, Size);
        if (rc != 0)
        {
            throw BpfErrors.Create($"{options.Interface}: setting the filter's tunnel ports", rc);
        }

        return config[FollowsTunnelsOffset] != 0;
    }
}
