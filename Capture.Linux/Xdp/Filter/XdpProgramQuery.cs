using System.Text;
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

    /// <summary>The name of a loaded program, from its bpf_prog_info.</summary>
    internal static string ProgramName(uint id)
    {
        int fd = Libbpf.ProgramGetFdById(id);
        if (fd < 0)
        {
            return string.Empty;
        }

        try
        {
            // struct bpf_prog_info: name[16] at offset 64.
            byte* info = stackalloc byte[256];
            new Span<byte>(info, 256).Clear();
            uint length = 256;
            if (Libbpf.ObjGetInfoByFd(fd, info, &length) != 0)
            {
                return string.Empty;
            }

            ReadOnlySpan<byte> name = new(info + 64, 16);
            int end = name.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
