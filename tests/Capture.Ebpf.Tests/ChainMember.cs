using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Capture.Linux.Xdp.Interop;

namespace Capture.Ebpf.Tests;

/// <summary>
/// Another party's XDP program for the chaining tests, built here with clang-14 and loaded with
/// libbpf: it counts every TCP/UDP packet it sees in its own map <c>seen</c> (key: the L4 header's
/// first four bytes, source and destination port as on the wire), then continues by tail call to
/// slot 0 of its own program array <c>next</c> (empty: XDP_PASS), as an l3afd network function
/// does. The same source serves as a chain root, a next program and a libxdp dispatcher stand-in;
/// only the program's name differs.
/// </summary>
internal sealed unsafe class ChainMember : IDisposable
{
    private const string Source = """
        #include <linux/bpf.h>
        #include <linux/types.h>
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        #define __type(name, val) typeof(val) *name
        static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
        static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)BPF_FUNC_map_update_elem;
        static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)BPF_FUNC_tail_call;

        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } next SEC(".maps");

        SEC("xdp") int PROGRAM_NAME(struct xdp_md *ctx)
        {
            __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end, *l4;
            __u32 key;
            __u64 one = 1, *value;
            if (data + 34 > end)
                goto out;
            if (data[12] == 0x08 && data[13] == 0x00)
                l4 = data + 14 + (data[14] & 0x0f) * 4;
            else if (data[12] == 0x86 && data[13] == 0xdd)
                l4 = data + 54;
            else
                goto out;
            if (l4 + 4 > end)
                goto out;
            __builtin_memcpy(&key, l4, 4);
            value = bpf_map_lookup_elem(&seen, &key);
            if (!value && bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST) == 0)
                goto out;
            value = bpf_map_lookup_elem(&seen, &key);
            if (value)
                __sync_fetch_and_add(value, 1);
        out:
            bpf_tail_call(ctx, &next, 0);
            return XDP_PASS;
        }
        char _license[] SEC("license") = "GPL";
        """;

    private static readonly ConcurrentDictionary<string, Lazy<string>> s_objects = new(StringComparer.Ordinal);

    private readonly nint _object;
    private readonly List<string> _pins = [];
    private int _link = -1;

    private ChainMember(string name, nint bpfObject, int programFd, int seenFd, int nextFd)
    {
        Name = name;
        _object = bpfObject;
        ProgramFd = programFd;
        SeenFd = seenFd;
        NextFd = nextFd;
    }

    /// <summary>The program's name as the kernel reports it.</summary>
    public string Name { get; }

    /// <summary>The loaded program.</summary>
    public int ProgramFd { get; }

    /// <summary>Its counter map.</summary>
    public int SeenFd { get; }

    /// <summary>Its own program array (slot 0: what it continues to).</summary>
    public int NextFd { get; }

    /// <summary>The compiled object of a program named <paramref name="name"/> (built once per test process).</summary>
    public static string ObjectFile(string name) => s_objects.GetOrAdd(name, n => new Lazy<string>(() => Compile(n))).Value;

    /// <summary>Loads the program named <paramref name="name"/>.</summary>
    public static ChainMember Load(string name)
    {
        nint bpfObject = Libbpf.ObjectOpenFile(ObjectFile(name), 0);
        Assert.NotEqual(0, bpfObject);
        Assert.Equal(0, Libbpf.ObjectLoad(bpfObject));
        int program = Libbpf.ProgramFd(Libbpf.FindProgramByName(bpfObject, name));
        int seen = Libbpf.MapFd(Libbpf.FindMapByName(bpfObject, "seen"));
        int next = Libbpf.MapFd(Libbpf.FindMapByName(bpfObject, "next"));
        Assert.True(program >= 0 && seen >= 0 && next >= 0);
        return new ChainMember(name, bpfObject, program, seen, next);
    }

    /// <summary>Pins the program at <paramref name="path"/> (unpinned on dispose).</summary>
    public void PinProgram(string path) => Pin(ProgramFd, path);

    /// <summary>Pins its program array at <paramref name="path"/> (unpinned on dispose).</summary>
    public void PinNext(string path) => Pin(NextFd, path);

    /// <summary>Attaches it to an interface in driver mode through a bpf_link (closed on dispose).</summary>
    public void AttachDriver(int ifindex)
    {
        Libbpf.LinkCreateOptions options = new() { Size = (nuint)sizeof(Libbpf.LinkCreateOptions), Flags = Libbpf.XdpFlagsDrvMode };
        _link = Libbpf.LinkCreate(ProgramFd, ifindex, Libbpf.AttachTypeXdp, &options);
        Assert.True(_link >= 0, $"attaching {Name}: errno {-_link}");
    }

    /// <summary>Packets it counted with these ports (host order) in the L4 header.</summary>
    public long Seen(ushort sourcePort, ushort destinationPort)
    {
        uint key = 0;
        Span<byte> bytes = new(&key, 4);
        BinaryPrimitives.WriteUInt16BigEndian(bytes, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], destinationPort);
        ulong value = 0;
        return Libbpf.MapLookupElem(SeenFd, &key, &value) == 0 ? (long)value : 0;
    }

    /// <summary>Packets it counted in the to-server and to-client direction of a flow.</summary>
    public (long ToServer, long ToClient) Seen(TestFlow flow) =>
        (Seen(flow.Tuple.SourcePort, flow.Tuple.DestinationPort), Seen(flow.Tuple.DestinationPort, flow.Tuple.SourcePort));

    /// <summary>Puts <paramref name="member"/> in <paramref name="slot"/> of the array pinned at <paramref name="arrayPin"/>, as an operator (bpftool map update pinned ...).</summary>
    public static void PutInSlot(string arrayPin, uint slot, ChainMember member) => UpdateSlot(arrayPin, slot, member.ProgramFd);

    /// <summary>Empties <paramref name="slot"/> of the array pinned at <paramref name="arrayPin"/>.</summary>
    public static void ClearSlot(string arrayPin, uint slot) => UpdateSlot(arrayPin, slot, -1);

    /// <summary>The program id in a slot of a pinned array, 0 when empty.</summary>
    public static uint ProgramInSlot(string arrayPin, uint slot)
    {
        int fd = Libbpf.ObjGet(arrayPin);
        Assert.True(fd >= 0, $"{arrayPin}: errno {-fd}");
        try
        {
            uint id = 0;
            return Libbpf.MapLookupElem(fd, &slot, &id) == 0 ? id : 0;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>The kernel id of the program.</summary>
    public uint ProgramId()
    {
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        uint length = 256;
        Assert.Equal(0, Libbpf.ObjGetInfoByFd(ProgramFd, info, &length));
        return *(uint*)(info + 4);
    }

    public void Dispose()
    {
        if (_link >= 0)
        {
            Libc.Close(_link);
            _link = -1;
        }

        foreach (string pin in _pins)
        {
            File.Delete(pin);
        }

        Libbpf.ObjectClose(_object);
    }

    private static void UpdateSlot(string arrayPin, uint slot, int programFd)
    {
        int fd = Libbpf.ObjGet(arrayPin);
        Assert.True(fd >= 0, $"{arrayPin}: errno {-fd}");
        try
        {
            int rc = programFd < 0 ? Libbpf.MapDeleteElem(fd, &slot) : Libbpf.MapUpdateElem(fd, &slot, &programFd, 0);
            Assert.True(rc == 0, $"slot {slot} of {arrayPin}: errno {-rc}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private void Pin(int fd, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int rc = Libbpf.ObjPin(fd, path);
        Assert.True(rc == 0, $"pinning at {path}: errno {-rc}");
        _pins.Add(path);
    }

    private static string Compile(string name)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"xch-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        string source = Path.Combine(directory, "member.c");
        string output = Path.Combine(directory, name + ".o");
        File.WriteAllText(source, Source);
        var start = new ProcessStartInfo("clang-14") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-O2", "-g", "-Wall", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", $"-DPROGRAM_NAME={name}", "-c", source, "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("clang-14 did not start (scripts/setup.sh installs it)");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"clang-14 could not build {name}: {error}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return output;
    }
}
