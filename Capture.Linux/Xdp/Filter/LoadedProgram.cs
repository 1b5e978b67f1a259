using System.Text;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>What the kernel says about a loaded BPF program (from its bpf_prog_info).</summary>
/// <param name="Id">The program id.</param>
/// <param name="Name">The program's name ("" when it has none).</param>
internal readonly record struct LoadedProgram(uint Id, string Name)
{
    /// <summary>The program behind <paramref name="fd"/>, or null when the kernel does not say.</summary>
    internal static unsafe LoadedProgram? FromFd(int fd)
    {
        // struct bpf_prog_info: type, id, ..., name[16] at offset 64.
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        uint length = 256;
        if (Libbpf.ObjGetInfoByFd(fd, info, &length) != 0)
        {
            return null;
        }

        ReadOnlySpan<byte> name = new(info + 64, 16);
        int end = name.IndexOf((byte)0);
        return new LoadedProgram(*(uint*)(info + 4), Encoding.UTF8.GetString(end < 0 ? name : name[..end]));
    }

    /// <summary>The program with kernel id <paramref name="id"/>, or null when it is gone.</summary>
    internal static LoadedProgram? FromId(uint id) => ReadById(id, FromFd, gone: null);

    /// <summary>Whether the program with kernel id <paramref name="id"/> uses the map with id <paramref name="mapId"/> (false when it is gone).</summary>
    internal static bool UsesMap(uint id, uint mapId) => ReadById(id, fd => MapIds(fd).Contains(mapId), gone: false);

    /// <summary>The ids of the maps the program behind <paramref name="fd"/> uses (at most 64; none when the kernel does not say).</summary>
    private static unsafe uint[] MapIds(int fd)
    {
        // struct bpf_prog_info: nr_map_ids (u32) at offset 52, map_ids (u64 pointer) at 56.
        const int MaxMaps = 64;
        uint* maps = stackalloc uint[MaxMaps];
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        *(uint*)(info + 52) = MaxMaps;
        *(ulong*)(info + 56) = (ulong)maps;
        uint length = 256;
        if (Libbpf.ObjGetInfoByFd(fd, info, &length) != 0)
        {
            return [];
        }

        return new ReadOnlySpan<uint>(maps, (int)Math.Min(*(uint*)(info + 52), MaxMaps)).ToArray();
    }

    /// <summary>Reads the program with kernel id <paramref name="id"/> through a descriptor held for the read; <paramref name="gone"/> when it is gone.</summary>
    private static T ReadById<T>(uint id, Func<int, T> read, T gone)
    {
        int fd = Libbpf.ProgramGetFdById(id);
        if (fd < 0)
        {
            return gone;
        }

        try
        {
            return read(fd);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>"id 42 ('xdp_lb')", for messages.</summary>
    public override string ToString() => $"id {Id} ('{Name}')";
}
