using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Linux.Xdp.Interop;
using Capture.Linux.Xdp.Maps;

namespace Capture.Ebpf.Tests;

/// <summary>
/// The built XDP filter loaded (not attached) with shared maps, its program run on frames with
/// BPF_PROG_TEST_RUN: what the kernel decides for a frame, without a namespace or an interface.
/// </summary>
internal sealed unsafe partial class XdpTestRun : IDisposable
{
    /// <summary>XDP_DROP.</summary>
    public const uint Drop = 1;

    /// <summary>XDP_PASS.</summary>
    public const uint Pass = 2;

    /// <summary>Largest frame a test run takes without multi-buffer support (a page less head- and tailroom).</summary>
    public const int MaxFrame = 3000;

    private readonly nint _object;
    private readonly int _program;
    private readonly int _v4;
    private readonly int _v6;
    private readonly long[] _value = new long[FlowMap.LongsPerValue];

    public XdpTestRun(IReadOnlyList<int>? vxlanPorts = null, int genevePort = 6081)
    {
        _object = Libbpf.ObjectOpenFile(XdpBypassFilter.DefaultFilterFile, 0);
        if (_object == 0)
        {
            throw new InvalidOperationException($"opening {XdpBypassFilter.DefaultFilterFile}: errno {Marshal.GetLastPInvokeError()}");
        }

        nint v4 = Libbpf.FindMapByName(_object, XdpBypassFilter.MapV4Name);
        nint v6 = Libbpf.FindMapByName(_object, XdpBypassFilter.MapV6Name);
        Check(Libbpf.MapSetType(v4, Libbpf.MapTypeHash), "map type");
        Check(Libbpf.MapSetType(v6, Libbpf.MapTypeHash), "map type");
        if (vxlanPorts is not null || genevePort != 6081)
        {
            var options = new XdpBypassOptions { Interface = "test-run", VxlanPorts = vxlanPorts ?? [4789], GenevePort = genevePort };
            Capture.Linux.Xdp.Filter.FilterConfig.Apply(_object, options, XdpBypassFilter.DefaultFilterFile);
        }

        Check(Libbpf.ObjectLoad(_object), "loading the filter (verifier)");
        _program = Libbpf.ProgramFd(Libbpf.FindProgramByName(_object, XdpBypassFilter.ProgramName));
        _v4 = Libbpf.MapFd(v4);
        _v6 = Libbpf.MapFd(v6);
        Rules = new Capture.Linux.Xdp.Filter.KernelBypassRules(
            new BpfFdHandle(Libc.DuplicateCloseOnExec(Libbpf.MapFd(Libbpf.FindMapByName(_object, Capture.Linux.Xdp.Filter.KernelBypassRules.RulesMapName)))),
            new BpfFdHandle(Libc.DuplicateCloseOnExec(Libbpf.MapFd(Libbpf.FindMapByName(_object, Capture.Linux.Xdp.Filter.KernelBypassRules.SetMapName)))));
    }

    /// <summary>The filter's kernel bypass rules.</summary>
    public Capture.Linux.Xdp.Filter.KernelBypassRules Rules { get; }

    /// <summary>A key's counters and the sid of the rule that made it, or null when it is not in the map.</summary>
    public HalfFlowCounters? Counters<TKey>(TKey key)
        where TKey : unmanaged
    {
        fixed (long* value = _value)
        {
            return Libbpf.MapLookupElem(FdOf<TKey>(), Unsafe.AsPointer(ref key), value) == 0
                ? FlowMap.Sum(_value, 1)
                : null;
        }
    }

    /// <summary>Runs the program once on <paramref name="frame"/>; its return code.</summary>
    public uint Run(ReadOnlySpan<byte> frame)
    {
        byte[] output = new byte[frame.Length + 512];
        fixed (byte* data = frame)
        fixed (byte* dataOut = output)
        {
            TestRunOptions options = new()
            {
                Size = (nuint)sizeof(TestRunOptions),
                DataIn = data,
                DataOut = dataOut,
                DataSizeIn = (uint)frame.Length,
                DataSizeOut = (uint)output.Length,
                Repeat = 1,
            };
            Check(ProgramTestRun(_program, &options), $"BPF_PROG_TEST_RUN on a {frame.Length}-byte frame");
            return options.Return;
        }
    }

    /// <summary>Inserts a half-flow key with zero counters.</summary>
    public void Insert<TKey>(TKey key)
        where TKey : unmanaged
    {
        Array.Clear(_value);
        fixed (long* value = _value)
        {
            Check(Libbpf.MapUpdateElem(FdOf<TKey>(), Unsafe.AsPointer(ref key), value, 0), "inserting a key");
        }
    }

    /// <summary>The packets counted for a key, or -1 when it is not in the map.</summary>
    public long Packets<TKey>(TKey key)
        where TKey : unmanaged
    {
        fixed (long* value = _value)
        {
            return Libbpf.MapLookupElem(FdOf<TKey>(), Unsafe.AsPointer(ref key), value) == 0 ? value[0] : -1;
        }
    }

    /// <summary>Removes a key.</summary>
    public void Delete<TKey>(TKey key)
        where TKey : unmanaged =>
        Check(Libbpf.MapDeleteElem(FdOf<TKey>(), Unsafe.AsPointer(ref key)), "deleting a key");

    public void Dispose()
    {
        Rules.Dispose();
        Libbpf.ObjectClose(_object);
    }

    private int FdOf<TKey>() => typeof(TKey) == typeof(FlowKeyV6) ? _v6 : _v4;

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException($"{what}: errno {-rc}");
        }
    }

    [LibraryImport("libbpf.so.1", EntryPoint = "bpf_prog_test_run_opts")]
    private static partial int ProgramTestRun(int programFd, TestRunOptions* options);

    /// <summary>struct bpf_test_run_opts (libbpf 1.x).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TestRunOptions
    {
        public nuint Size;
        public byte* DataIn;
        public byte* DataOut;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public void* ContextIn;
        public void* ContextOut;
        public uint ContextSizeIn;
        public uint ContextSizeOut;
        public uint Return;
        public int Repeat;
        public uint Duration;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
    }
}
