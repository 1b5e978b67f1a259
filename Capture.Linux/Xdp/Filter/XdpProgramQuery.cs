using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>Finds the XDP program attached to an interface (bpf_xdp_query_id per mode).</summary>
internal static unsafe class XdpProgramQuery
{
    /// <summary>The program attached in any mode, or null.</summary>
    internal static AttachedXdpProgram? Find(int ifindex)
    {
        foreach ((uint flag, XdpMode mode) in new[] { (Libbpf.XdpFlagsDrvMode, XdpMode.Driver), (Libbpf.XdpFlagsSkbMode, XdpMode.Soft), (Libbpf.XdpFlagsHwMode, XdpMode.Hardware) })
        {
            uint id = 0;
            if (Libbpf.XdpQueryId(ifindex, (int)flag, &id) == 0 && id != 0)
            {
                return new AttachedXdpProgram(id, ProgramName(id), mode, flag);
            }
        }

        return null;
    }

    /// <summary>The id of the program attached in one mode (0 when none).</summary>
    internal static uint IdInMode(int ifindex, uint flag)
    {
        uint id = 0;
        return Libbpf.XdpQueryId(ifindex, (int)flag, &id) == 0 ? id : 0;
    }

    /// <summary>The name of a loaded program, from its bpf_prog_info ("" when it is gone).</summary>
    internal static string ProgramName(uint id) => LoadedProgram.FromId(id)?.Name ?? string.Empty;
}
