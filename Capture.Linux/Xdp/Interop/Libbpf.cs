using System.Runtime.InteropServices;

namespace Capture.Linux.Xdp.Interop;

/// <summary>
/// libbpf 1.x (libbpf.so.1) entry points. Pointer-returning calls give NULL and set errno;
/// the low-level bpf_* calls return -errno (libbpf 1.0 semantics).
/// </summary>
internal static unsafe partial class Libbpf
{
    private const string Library = "libbpf.so.1";

    internal const uint MapTypeHash = 1;
    internal const uint MapTypePerCpuHash = 5;
    internal const int AttachTypeXdp = 37;
    internal const ulong UpdateNoExist = 1;
    internal const uint XdpFlagsSkbMode = 2;
    internal const uint XdpFlagsDrvMode = 4;
    internal const uint XdpFlagsHwMode = 8;

    [LibraryImport(Library, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint ObjectOpenFile(string path, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    internal static partial int ObjectLoad(nint bpfObject);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    internal static partial void ObjectClose(nint bpfObject);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint FindMapByName(nint bpfObject, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint FindProgramByName(nint bpfObject, string name);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_type")]
    internal static partial int MapSetType(nint map, uint type);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    internal static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_ifindex")]
    internal static partial int MapSetIfindex(nint map, uint ifindex);

    [LibraryImport(Library, EntryPoint = "bpf_map__reuse_fd")]
    internal static partial int MapReuseFd(nint map, int fd);

    [LibraryImport(Library, EntryPoint = "bpf_map__initial_value")]
    internal static partial void* MapInitialValue(nint map, nuint* size);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_initial_value")]
    internal static partial int MapSetInitialValue(nint map, void* data, nuint size);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    internal static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__key_size")]
    internal static partial uint MapKeySize(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__value_size")]
    internal static partial uint MapValueSize(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_ifindex")]
    internal static partial void ProgramSetIfindex(nint program, uint ifindex);

    [LibraryImport(Library, EntryPoint = "bpf_program__fd")]
    internal static partial int ProgramFd(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ObjPin(int fd, string path);

    [LibraryImport(Library, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ObjGet(string path);

    [LibraryImport(Library, EntryPoint = "bpf_obj_get_info_by_fd")]
    internal static partial int ObjGetInfoByFd(int fd, void* info, uint* infoLength);

    [LibraryImport(Library, EntryPoint = "bpf_prog_get_fd_by_id")]
    internal static partial int ProgramGetFdById(uint id);

    [LibraryImport(Library, EntryPoint = "bpf_link_create")]
    internal static partial int LinkCreate(int programFd, int targetFd, int attachType, LinkCreateOptions* options);

    [LibraryImport(Library, EntryPoint = "bpf_xdp_detach")]
    internal static partial int XdpDetach(int ifindex, uint flags, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_xdp_query_id")]
    internal static partial int XdpQueryId(int ifindex, int flags, uint* programId);

    [LibraryImport(Library, EntryPoint = "bpf_map_update_elem")]
    internal static partial int MapUpdateElem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem")]
    internal static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem")]
    internal static partial int MapDeleteElem(int fd, void* key);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_batch")]
    internal static partial int MapLookupBatch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, MapBatchOptions* options);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int NumPossibleCpus();

    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    internal static partial nint SetPrint(delegate* unmanaged[Cdecl]<int, byte*, nint, int> print);

    /// <summary>struct bpf_link_create_opts, cut after <c>flags</c> (libbpf accepts a shorter sz).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LinkCreateOptions
    {
        public nuint Size;
        public uint Flags;
        public uint Padding;
    }

    /// <summary>struct bpf_map_batch_opts.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MapBatchOptions
    {
        public nuint Size;
        public ulong ElementFlags;
        public ulong Flags;
    }
}
