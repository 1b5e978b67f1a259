using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;
using Capture.Linux.Xdp.Filter;
using Capture.Linux.Xdp.Interop;
using Capture.Linux.Xdp.Maps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Linux.Xdp;

/// <summary>
/// The XDP bypass filter on one interface: opens the compiled filter, sets the map type
/// (per-CPU or shared) and capacity, binds to the NIC for <c>xdp-mode: hw</c>, reuses or
/// creates pins, loads, attaches through a bpf_link (so the kernel detaches it if the process
/// dies) and owns all of it until <see cref="Stop"/>/<see cref="Dispose"/>. Never replaces
/// another XDP program unless told to. Hands out the <see cref="Strategy"/> over its maps.
/// </summary>
public sealed class XdpBypassFilter : IDisposable
{
    /// <summary>Version of the map layout (key and value structs); part of the pin path.</summary>
    public const int LayoutVersion = 4;

    /// <summary>The file name of the built-in filter, next to Capture.Linux.Xdp.dll.</summary>
    public const string FilterFileName = "xdp_bypass.o";

    /// <summary>The built-in filter for <c>xdp-mode: hw</c>: the same program without the kernel clock (NICs have none).</summary>
    public const string OffloadFilterFileName = "xdp_bypass_offload.o";

    /// <summary>The XDP program's name in the filter.</summary>
    public const string ProgramName = "xdp_bypass";

    /// <summary>The IPv4 flow map's name.</summary>
    public const string MapV4Name = "flow_v4";

    /// <summary>The IPv6 flow map's name.</summary>
    public const string MapV6Name = "flow_v6";

    /// <summary>The libxdp multi-program dispatcher's program name, recognised (and refused) on an interface.</summary>
    public const string LibxdpDispatcherName = "xdp_dispatcher";

    private readonly ILogger _logger;
    private readonly BpfObjectHandle _object;
    private readonly BpfFdHandle? _link;
    private readonly XdpChain? _chain;
    private readonly FlowMap _v4;
    private readonly FlowMap _v6;
    private readonly KernelBypassRules? _rules;
    private int _stopped;
    private int _disposed;

    private XdpBypassFilter(XdpBypassOptions options, int ifindex, ILogger logger, BpfObjectHandle bpfObject, BpfFdHandle? link, XdpChain? chain, FlowMap v4, FlowMap v6, KernelBypassRules? rules, uint programId, IReadOnlyList<RestoredBypassedFlow> restored, IReadOnlyList<string> replacedPins, bool followsTunnels)
    {
        Debug.Assert(link is not null || chain is not null, "the filter runs attached or in a slot of a chain");
        _chain = chain;
        ReplacedPins = replacedPins;
        Options = options;
        InterfaceIndex = ifindex;
        _logger = logger;
        _object = bpfObject;
        _link = link;
        _v4 = v4;
        _v6 = v6;
        _rules = rules;
        ProgramId = programId;
        RestoredFlows = restored;
        Strategy = new EbpfBypassStrategy(options.Interface, v4, v6, followsTunnels ? options.VxlanPorts : null, options.GenevePort, rules, logger);
        Strategy.Warm();
    }

    /// <summary>The built-in filter: <see cref="FilterFileName"/> next to Capture.Linux.Xdp.dll (copied into each plugin's folder).</summary>
    public static string DefaultFilterFile => BuiltInFilter(FilterFileName);

    /// <summary>The built-in filter for <c>xdp-mode: hw</c>: <see cref="OffloadFilterFileName"/> beside <see cref="DefaultFilterFile"/>.</summary>
    public static string DefaultOffloadFilterFile => BuiltInFilter(OffloadFilterFileName);

    /// <summary>The options it runs with (a copy).</summary>
    public XdpBypassOptions Options { get; }

    /// <summary>The interface name.</summary>
    public string Interface => Options.Interface;

    /// <summary>The interface index.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The kernel id of the filter's program (attached, or in its slot of a chain).</summary>
    public uint ProgramId { get; }

    /// <summary>The pin directory of this interface's maps, or null when maps are not pinned.</summary>
    public string? PinDirectory => Options.PinnedMaps ? PinLayout.VersionDirectory(Options.PinRoot, Options.Interface) : null;

    /// <summary>Flows found in reused pinned maps at start (empty otherwise); hand each to <see cref="EbpfBypassStrategy.Adopt"/>.</summary>
    public IReadOnlyList<RestoredBypassedFlow> RestoredFlows { get; }

    /// <summary>
    /// Pins found at start and removed: other layout versions, maps whose type, key, value or
    /// capacity differ from this configuration, or (when not pinning) pins of an earlier pinned run.
    /// Also logged as warnings.
    /// </summary>
    public IReadOnlyList<string> ReplacedPins { get; }

    /// <summary>The bypass strategy over this filter's maps (one per interface; shared by its capture threads).</summary>
    public EbpfBypassStrategy Strategy { get; }

    /// <summary>Whether the program still runs: attached, or in its slot of another root's chain (false after <see cref="Stop"/>).</summary>
    public bool IsAttached => Volatile.Read(ref _stopped) == 0;

    /// <summary>Opens, configures, loads and attaches the filter on <see cref="XdpBypassOptions.Interface"/>.</summary>
    /// <param name="options">The options (copied).</param>
    /// <param name="loggerFactory">Where libbpf's and the filter's messages go.</param>
    /// <returns>The running filter.</returns>
    /// <exception cref="Capture.Abstractions.ConfigurationException">The options are wrong.</exception>
    /// <exception cref="BpfException">The interface, the kernel or libbpf refused; the message says why and what to do.</exception>
    public static XdpBypassFilter Start(XdpBypassOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        XdpBypassOptions o = options.Clone();
        LibbpfLog.Install(loggerFactory);
        LibbpfLog.Clear();
        ILogger logger = loggerFactory?.CreateLogger<XdpBypassFilter>() ?? NullLogger<XdpBypassFilter>.Instance;
        string iface = o.Interface;

        int ifindex = (int)Libc.IfNameToIndex(iface);
        if (ifindex == 0)
        {
            throw BpfErrors.Create($"{iface}: no such interface", Libc.LastError());
        }

        // In a slot of another root's chain the filter never touches the interface's hook.
        if (o.Chain?.IsLink != true)
        {
            RefuseOrReplaceExisting(o, ifindex, logger);
        }

        string file = o.FilterFile ?? (o.Mode == XdpMode.Hardware ? DefaultOffloadFilterFile : DefaultFilterFile);
        if (!File.Exists(file))
        {
            throw new BpfException(o.FilterFile is null
                ? $"{iface}: the built-in XDP filter {file} is missing: Capture.Linux.Xdp builds it with clang-14 (apt-get install clang-14, then rebuild)"
                : $"{iface}: xdp-filter-file {file} does not exist");
        }

        nint rawObject = Libbpf.ObjectOpenFile(file, 0);
        if (rawObject == 0)
        {
            throw BpfErrors.Create($"{iface}: opening XDP filter {file}", Libc.LastError());
        }

        BpfObjectHandle bpfObject = new(rawObject);
        BpfFdHandle? link = null;
        XdpChain? chain = null;
        FlowMap? v4 = null;
        FlowMap? v6 = null;
        KernelBypassRules? rules = null;
        try
        {
            nint program = Libbpf.FindProgramByName(rawObject, ProgramName);
            nint mapV4 = Libbpf.FindMapByName(rawObject, MapV4Name);
            nint mapV6 = Libbpf.FindMapByName(rawObject, MapV6Name);
            if (program == 0 || mapV4 == 0 || mapV6 == 0)
            {
                throw new BpfException($"{iface}: {file} is not a capture bypass filter: it needs program '{ProgramName}' and maps '{MapV4Name}', '{MapV6Name}'");
            }

            CheckLayout(iface, file, mapV4, (uint)Unsafe.SizeOf<FlowKeyV4>());
            CheckLayout(iface, file, mapV6, (uint)Unsafe.SizeOf<FlowKeyV6>());

            // Kernel bypass rules: in the built-in filter, not in the NIC's build nor in older or custom filters.
            nint rulesMap = Libbpf.FindMapByName(rawObject, KernelBypassRules.RulesMapName);
            nint ruleSetMap = Libbpf.FindMapByName(rawObject, KernelBypassRules.SetMapName);
            if (rulesMap != 0 && ruleSetMap != 0 && Libbpf.MapValueSize(rulesMap) != KernelRule.Size)
            {
                throw new BpfException($"{iface}: {file} has another {KernelBypassRules.RulesMapName} layout (value {Libbpf.MapValueSize(rulesMap)} B; layout v{LayoutVersion} needs {KernelRule.Size} B)");
            }
            bool followsTunnels = FilterConfig.Apply(rawObject, o, file);

            // Type and capacity are set between open and load: one object serves every configuration.
            uint type = o.PerCpuMaps ? Libbpf.MapTypePerCpuHash : Libbpf.MapTypeHash;
            foreach (nint map in new[] { mapV4, mapV6 })
            {
                Check(Libbpf.MapSetType(map, type), $"{iface}: setting the flow map type");
                Check(Libbpf.MapSetMaxEntries(map, (uint)o.MapCapacity), $"{iface}: setting the flow map capacity to {o.MapCapacity}");
                if (o.Mode == XdpMode.Hardware)
                {
                    Check(Libbpf.MapSetIfindex(map, (uint)ifindex), $"{iface}: binding a flow map to the NIC");
                }
            }

            if (o.Mode == XdpMode.Hardware)
            {
                Libbpf.ProgramSetIfindex(program, (uint)ifindex);
            }

            if (o.Chain is { } chaining && (chaining.IsRoot || chaining.IsLink))
            {
                chain = XdpChain.Prepare(rawObject, chaining, iface, logger);
            }

            List<string> replacedPins = [];
            bool reusedV4 = false;
            bool reusedV6 = false;
            string pinDirectory = PinLayout.VersionDirectory(o.PinRoot, iface);
            if (o.PinnedMaps)
            {
                PinLayout.RemoveOtherLayouts(o.PinRoot, iface, logger, replacedPins);
                reusedV4 = PinLayout.TryReuse(mapV4, Path.Combine(pinDirectory, MapV4Name), type, (uint)o.MapCapacity, iface, logger, replacedPins);
                reusedV6 = PinLayout.TryReuse(mapV6, Path.Combine(pinDirectory, MapV6Name), type, (uint)o.MapCapacity, iface, logger, replacedPins);
            }
            else if (Directory.Exists(PinLayout.InterfaceDirectory(o.PinRoot, iface)))
            {
                // Not pinning now: pins of an earlier pinned run would only mislead; nothing stays in bpffs.
                EbpfLog.StalePinsRemoved(logger, iface, PinLayout.InterfaceDirectory(o.PinRoot, iface));
                replacedPins.Add(PinLayout.InterfaceDirectory(o.PinRoot, iface));
                PinLayout.RemoveAll(o.PinRoot, iface);
            }

            LibbpfLog.Clear();
            int loaded = Libbpf.ObjectLoad(rawObject);
            if (loaded != 0)
            {
                throw o.Mode == XdpMode.Hardware ? OffloadRefused(iface, loaded) : BpfErrors.Create($"{iface}: loading XDP filter {file}", loaded);
            }

            if (o.PinnedMaps)
            {
                if (!reusedV4)
                {
                    PinLayout.Pin(Libbpf.MapFd(mapV4), Path.Combine(pinDirectory, MapV4Name), iface);
                }

                if (!reusedV6)
                {
                    PinLayout.Pin(Libbpf.MapFd(mapV6), Path.Combine(pinDirectory, MapV6Name), iface);
                }
            }

            v4 = OwnMap(mapV4, MapV4Name, Unsafe.SizeOf<FlowKeyV4>(), o);
            v6 = OwnMap(mapV6, MapV6Name, Unsafe.SizeOf<FlowKeyV6>(), o);
            if (rulesMap != 0 && ruleSetMap != 0)
            {
                BpfFdHandle ruleFd = DuplicateFd(rulesMap, KernelBypassRules.RulesMapName, iface);
                rules = new KernelBypassRules(ruleFd, DuplicateFd(ruleSetMap, KernelBypassRules.SetMapName, iface, ruleFd));
            }

            chain?.Fill(rawObject);
            uint programId;
            if (o.Chain?.IsLink == true)
            {
                programId = chain!.Join(Libbpf.ProgramFd(program), o.ReplaceExistingProgram);
            }
            else
            {
                link = Attach(o, ifindex, Libbpf.ProgramFd(program));
                programId = XdpProgramQuery.IdInMode(ifindex, ModeFlag(o.Mode));
            }

            List<RestoredBypassedFlow> restored = [];
            if (reusedV4 || reusedV6)
            {
                RestoredFlowReader.Read(v4, v6, restored);
                EbpfLog.Restored(logger, iface, restored.Count);
            }

            if (link is not null)
            {
                EbpfLog.Attached(logger, iface, file, XdpBypassOptions.FormatMode(o.Mode), programId, o.PerCpuMaps ? "per-CPU" : "shared", o.MapCapacity);
            }

            return new XdpBypassFilter(o, ifindex, logger, bpfObject, link, chain, v4, v6, rules, programId, restored, replacedPins, followsTunnels);
        }
        catch
        {
            link?.Dispose();
            chain?.Dispose();
            v4?.Dispose();
            v6?.Dispose();
            rules?.Dispose();
            bpfObject.Dispose();
            throw;
        }
    }

    /// <summary>Removes the pins of an interface (all layouts), e.g. when an operator resets bypass state.</summary>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="pinRoot">The pin root; default <see cref="XdpBypassOptions.DefaultPinRoot"/>.</param>
    public static void RemovePins(string interfaceName, string? pinRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        PinLayout.RemoveAll(pinRoot ?? XdpBypassOptions.DefaultPinRoot, interfaceName);
    }

    /// <summary>The id of the XDP program attached to an interface in any mode, or 0.</summary>
    /// <param name="interfaceName">The interface.</param>
    /// <returns>The program id, 0 when none (or no such interface).</returns>
    public static uint AttachedProgramId(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        int ifindex = (int)Libc.IfNameToIndex(interfaceName);
        return ifindex == 0 ? 0 : XdpProgramQuery.Find(ifindex)?.Id ?? 0;
    }

    /// <summary>
    /// A sweeper over this filter's maps: expires entries that no live flow owns (orphans of a
    /// crash or restart, restored flows never adopted) once their counters stop moving.
    /// </summary>
    /// <param name="interval">Time between walks.</param>
    /// <returns>The sweeper (not started).</returns>
    public BypassMapSweeper CreateSweeper(TimeSpan interval)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new BypassMapSweeper(Strategy, _v4, _v6, interval, _logger);
    }

    /// <summary>
    /// Detaches the program (packets of bypassed flows reach user space again). The maps stay
    /// readable until <see cref="Dispose"/>, so final counters can still be folded; pins stay only
    /// when <see cref="XdpBypassOptions.PinnedMaps"/> is set, and then releases after the stop
    /// keep the flows' entries for the next start to restore. Idempotent.
    /// </summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // The engine ends its flows after the capture stops; with pinned maps those flows are
        // meant to outlive this run, so their releases must not delete them.
        if (Options.PinnedMaps)
        {
            Strategy.KeepEntriesOnRelease();
        }

        // Detached first, then out of the chain: the chain's other programs keep running.
        _link?.Dispose();
        _chain?.Dispose();
        _object.Dispose();
        if (_link is not null && !WaitUntilDetached(TimeSpan.FromSeconds(2)))
        {
            EbpfLog.DetachPending(_logger, Interface, ProgramId);
            return;
        }

        EbpfLog.Detached(_logger, Interface);
    }

    /// <summary>
    /// Closing the link detaches the program only when the link's last reference goes, and a
    /// process forked by this one (any Process.Start) holds a copy of every descriptor until it
    /// calls exec: a start right after a stop then found the old program still attached. Waits,
    /// briefly, until the interface no longer runs this filter's program.
    /// </summary>
    private bool WaitUntilDetached(TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        int pause = 1;
        while (XdpProgramQuery.Find(InterfaceIndex) is { } attached && attached.Id == ProgramId)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            Thread.Sleep(pause);
            pause = Math.Min(pause * 2, 50);
        }

        return true;
    }

    /// <summary>Stops and releases the maps (unpinned maps then vanish from the kernel).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Stop();
        _v4.Dispose();
        _v6.Dispose();
        _rules?.Dispose();
    }

    /// <summary>The IPv4 half-flow map (<see cref="MapV4Name"/>), for batch reads with a <see cref="FlowMapWalker"/>.</summary>
    public FlowMap MapV4 => _v4;

    /// <summary>The IPv6 half-flow map (<see cref="MapV6Name"/>), for batch reads with a <see cref="FlowMapWalker"/>.</summary>
    public FlowMap MapV6 => _v6;

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location (a host compiled ahead of time, or single-file) falls back to the host's directory, where the filter is published.")]
    private static string BuiltInFilter(string fileName)
    {
        string location = typeof(XdpBypassFilter).Assembly.Location;
        string directory = string.IsNullOrEmpty(location) ? AppContext.BaseDirectory : Path.GetDirectoryName(location)!;
        return Path.Combine(directory, fileName);
    }

    private static void RefuseOrReplaceExisting(XdpBypassOptions o, int ifindex, ILogger logger)
    {
        AttachedXdpProgram? existing = XdpProgramQuery.Find(ifindex);
        if (existing is not { } found)
        {
            return;
        }

        string mode = XdpBypassOptions.FormatMode(found.Mode);
        string dispatcherPins = $"/sys/fs/bpf/xdp/dispatch-{ifindex}-{found.Id}";
        if (string.Equals(found.Name, LibxdpDispatcherName, StringComparison.Ordinal) || Directory.Exists(dispatcherPins))
        {
            // Joining it would mean loading the filter as an freplace component: EPERM on this machine.
            throw new BpfException(
                $"{o.Interface} runs libxdp's multi-program dispatcher (program id {found.Id} ('{found.Name}'), {mode} mode); refusing it: " +
                "libxdp's dispatcher cannot run here, its component programs are freplace programs and loading one returns EPERM on this machine, " +
                $"so the filter cannot be one of them and does not replace it. Unload it (xdp-loader unload {o.Interface} --all) and chain through a program array instead (xdp-chain, docs/XDP.md)");
        }

        // Our own filter, attached without a bpf_link (nothing owns it: a run of ours ended without
        // detaching it, or an operator attached the object by hand), is stale and replaced. Ours
        // attached through a live bpf_link belongs to a running process and cannot be detached.
        bool ours = string.Equals(found.Name, ProgramName, StringComparison.Ordinal);
        if (!o.ReplaceExistingProgram && !ours)
        {
            throw new BpfException(
                $"{o.Interface} already has XDP program id {found.Id} ('{found.Name}') attached in {mode} mode; refusing to replace it. " +
                $"Detach it (ip link set dev {o.Interface} xdp off) or configure the bypass to replace it.");
        }

        if (ours)
        {
            EbpfLog.ReplacingStaleProgram(logger, o.Interface, found.Id, mode);
        }
        else
        {
            EbpfLog.ReplacingProgram(logger, o.Interface, found.Id, found.Name, mode);
        }

        int rc = Libbpf.XdpDetach(ifindex, found.ModeFlag, 0);
        if (rc != 0)
        {
            throw BpfErrors.Create(
                $"{o.Interface}: detaching XDP program id {found.Id} ('{found.Name}', {mode} mode) to replace it",
                rc,
                ours ? "It is attached through a bpf_link that a running process holds: another instance of the bypass runs on this interface"
                     : "A program attached through a bpf_link can only be removed by its owner");
        }
    }

    private static BpfFdHandle Attach(XdpBypassOptions o, int ifindex, int programFd)
    {
        unsafe
        {
            Libbpf.LinkCreateOptions options = new() { Size = (nuint)sizeof(Libbpf.LinkCreateOptions), Flags = ModeFlag(o.Mode) };
            LibbpfLog.Clear();
            int fd = Libbpf.LinkCreate(programFd, ifindex, Libbpf.AttachTypeXdp, &options);
            if (fd >= 0)
            {
                return new BpfFdHandle(fd);
            }

            string driver = InterfaceDriver.Name(o.Interface);
            string mode = XdpBypassOptions.FormatMode(o.Mode);
            string? hint = -fd switch
            {
                Libc.EBUSY or Libc.EEXIST => $"Another XDP program was attached to {o.Interface} meanwhile",
                Libc.EOPNOTSUPP when o.Mode == XdpMode.Driver => $"The driver '{driver}' has no native XDP: use xdp-mode: soft",
                Libc.ERANGE or Libc.EINVAL when o.Mode == XdpMode.Driver => $"The driver '{driver}' refused native XDP (MTU too large for XDP, or a peer/queue limit); xdp-mode: soft works on any interface",
                _ => null,
            };
            throw BpfErrors.Create($"{o.Interface}: attaching the XDP filter in {mode} mode (driver '{driver}')", fd, hint);
        }
    }

    private static BpfException OffloadRefused(string iface, int rc)
    {
        string driver = InterfaceDriver.Name(iface);
        string works = InterfaceDriver.HasNativeXdp(driver) ? "xdp-mode: driver (native XDP) or xdp-mode: soft" : "xdp-mode: soft";
        return BpfErrors.Create(
            $"{iface}: xdp-mode: hw: the kernel refused to offload the filter and its maps to {iface} (driver '{driver}')",
            rc,
            $"Offload needs a NIC whose driver registers BPF offload (e.g. nfp, Netronome Agilio); '{driver}' does not. {works} would work on {iface}");
    }

    // ownedBefore: a handle already made, disposed if this one cannot be.
    private static BpfFdHandle DuplicateFd(nint map, string name, string iface, BpfFdHandle? ownedBefore = null)
    {
        int fd = Libc.DuplicateCloseOnExec(Libbpf.MapFd(map));
        if (fd < 0)
        {
            ownedBefore?.Dispose();
            throw BpfErrors.Create($"{iface}: duplicating the fd of map {name}", Libc.LastError());
        }

        return new BpfFdHandle(fd);
    }

    private static FlowMap OwnMap(nint map, string name, int keySize, XdpBypassOptions o) =>
        new(name, DuplicateFd(map, name, o.Interface), keySize, o.PerCpuMaps, o.MapCapacity);

    private static void CheckLayout(string iface, string file, nint map, uint keySize)
    {
        uint key = Libbpf.MapKeySize(map);
        uint value = Libbpf.MapValueSize(map);
        if (key != keySize || value != FlowMap.ValueSize)
        {
            throw new BpfException($"{iface}: {file} has another map layout (key {key} B, value {value} B; layout v{LayoutVersion} needs key {keySize} B, value {FlowMap.ValueSize} B)");
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw BpfErrors.Create(what, rc);
        }
    }

    private static uint ModeFlag(XdpMode mode) => mode switch
    {
        XdpMode.Driver => Libbpf.XdpFlagsDrvMode,
        XdpMode.Hardware => Libbpf.XdpFlagsHwMode,
        _ => Libbpf.XdpFlagsSkbMode,
    };
}
