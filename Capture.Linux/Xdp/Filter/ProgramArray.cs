using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// One owned fd of a BPF_MAP_TYPE_PROG_ARRAY (4-byte keys and values): the slots a chain of XDP
/// programs tail calls through. From user space a slot is written with a program fd and read
/// back as the program's id.
/// </summary>
internal sealed unsafe class ProgramArray : IDisposable
{
    private const uint MapType = 3;
    private readonly BpfFdHandle _fd;

    private ProgramArray(BpfFdHandle fd, string path, uint capacity, uint id = 0)
    {
        _fd = fd;
        Path = path;
        Capacity = capacity;
        Id = id;
    }

    /// <summary>The kernel's map id (0 for an array this process loaded: not read).</summary>
    internal uint Id { get; }

    /// <summary>Where the array is pinned.</summary>
    internal string Path { get; }

    /// <summary>Its slots (max_entries).</summary>
    internal uint Capacity { get; }

    /// <summary>The fd, valid while this owner lives.</summary>
    internal int Fd => _fd.Fd;

    /// <summary>Opens the array pinned at <paramref name="path"/>; null when nothing is pinned there.</summary>
    /// <param name="path">The pin.</param>
    /// <param name="what">The configuration key and interface, for messages (<c>eth0: xdp-chain.join</c>).</param>
    /// <exception cref="BpfException">The pin cannot be opened or is not a program array.</exception>
    internal static ProgramArray? OpenPinned(string path, string what)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        int fd = Libbpf.ObjGet(path);
        if (fd < 0)
        {
            throw BpfErrors.Create($"{what}: opening the pin {path}", fd);
        }

        var handle = new BpfFdHandle(fd);
        // struct bpf_map_info: type, id, key_size, value_size, max_entries.
        uint* info = stackalloc uint[32];
        new Span<uint>(info, 32).Clear();
        uint length = 32 * sizeof(uint);
        if (Libbpf.ObjGetInfoByFd(fd, info, &length) != 0 || info[0] != MapType || info[2] != 4 || info[3] != 4)
        {
            handle.Dispose();
            throw new BpfException($"{what}: {path} is not a program array (BPF_MAP_TYPE_PROG_ARRAY with 4-byte keys and values; found map type {info[0]}, key {info[2]} B, value {info[3]} B)");
        }

        return new ProgramArray(handle, path, info[4], info[1]);
    }

    /// <summary>A second owner of an array this process loaded (fd duplicated).</summary>
    internal static ProgramArray Own(int mapFd, string path, uint capacity, string what)
    {
        int fd = Libc.DuplicateCloseOnExec(mapFd);
        if (fd < 0)
        {
            throw BpfErrors.Create($"{what}: duplicating the fd of the program array", Libc.LastError());
        }

        return new ProgramArray(new BpfFdHandle(fd), path, capacity);
    }

    /// <summary>The id of the program in <paramref name="slot"/>; 0 when the slot is empty.</summary>
    internal uint ProgramAt(uint slot)
    {
        uint id = 0;
        return Libbpf.MapLookupElem(Fd, &slot, &id) == 0 ? id : 0;
    }

    /// <summary>Puts a program in a slot (replacing what is there); 0 or -errno.</summary>
    internal int Put(uint slot, int programFd) => Libbpf.MapUpdateElem(Fd, &slot, &programFd, 0);

    /// <summary>Empties a slot; 0 or -errno (-ENOENT when it was empty).</summary>
    internal int Clear(uint slot) => Libbpf.MapDeleteElem(Fd, &slot);

    /// <summary>The occupied slots.</summary>
    internal List<uint> OccupiedSlots()
    {
        List<uint> occupied = [];
        for (uint slot = 0; slot < Capacity; slot++)
        {
            if (ProgramAt(slot) != 0)
            {
                occupied.Add(slot);
            }
        }

        return occupied;
    }

    /// <inheritdoc />
    public void Dispose() => _fd.Dispose();
}
