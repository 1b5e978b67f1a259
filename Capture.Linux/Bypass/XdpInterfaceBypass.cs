using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Xdp;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Bypass;

/// <summary>The XDP bypass filter of one interface (Capture.Linux.Xdp) and its strategy over the interface's flow maps.</summary>
public sealed class XdpInterfaceBypass : IInterfaceBypass
{
    /// <summary>How often entries no live flow owns (restored from pins and never adopted, left by a crash) are looked for.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly XdpBypassFilter _filter;
    private readonly BypassMapSweeper _sweeper;
    private IReadOnlyList<RestoredBypassedFlow>? _restored;

    private XdpInterfaceBypass(XdpBypassFilter filter)
    {
        _filter = filter;
        _restored = filter.RestoredFlows;
        _sweeper = filter.CreateSweeper(SweepInterval);
        _sweeper.Start();
    }

    /// <inheritdoc />
    public IBypassStrategy Strategy => _filter.Strategy;

    /// <summary>The running filter (program id, maps, flows restored from pins).</summary>
    public XdpBypassFilter Filter => _filter;

    /// <summary>Loads and attaches the filter the interface's options describe.</summary>
    /// <exception cref="ConfigurationException">An option is wrong.</exception>
    /// <exception cref="CaptureException">The kernel or libbpf refused; the message names the interface and the cause.</exception>
    public static IInterfaceBypass Create(LiveInterfaceOptions options, ILoggerFactory loggerFactory) =>
        Create(options, loggerFactory, XdpBypassOptions.DefaultPinRoot);

    /// <summary>Loads and attaches the filter, pinning under <paramref name="pinRoot"/> (tests use their own bpffs directory).</summary>
    internal static IInterfaceBypass Create(LiveInterfaceOptions options, ILoggerFactory loggerFactory, string pinRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var xdp = new XdpBypassOptions
        {
            Interface = options.Interface,
            Mode = options.XdpMode switch
            {
                LiveInterfaceXdpMode.Driver => XdpMode.Driver,
                LiveInterfaceXdpMode.Hardware => XdpMode.Hardware,
                _ => XdpMode.Soft,
            },
            PerCpuMaps = options.UsePercpuHash,

            // bypass-map-size counts flows; a flow takes two half-flow entries.
            MapCapacity = (int)Math.Min(XdpBypassOptions.MaxMapCapacity, 2L * options.BypassMapSize),
            PinnedMaps = options.PinnedMaps,
            PinRoot = pinRoot,
            ReplaceExistingProgram = options.XdpReplace,
            FilterFile = options.XdpFilterFile,
            VxlanPorts = options.VxlanPorts,
            GenevePort = options.GenevePort,
            Chain = options.XdpChainPin is null && options.XdpChainJoin is null
                ? null
                : new XdpChainOptions { ArrayPin = options.XdpChainPin, Next = [.. options.XdpChainNext], JoinArray = options.XdpChainJoin, JoinIndex = options.XdpChainJoinIndex },
        };

        try
        {
            var bypass = new XdpInterfaceBypass(XdpBypassFilter.Start(xdp, loggerFactory));
            try
            {
                LoadHeaderRules(bypass._filter.Strategy, options, loggerFactory);
            }
            catch
            {
                bypass.Dispose();
                throw;
            }

            return bypass;
        }
        catch (ConfigurationException exception)
        {
            throw new ConfigurationException($"{options.Location}: af-packet.{options.Interface}: {exception.Message}", exception);
        }
        catch (BpfException exception)
        {
            string libbpf = exception.LibbpfMessages.Count == 0 ? string.Empty : $" (libbpf: {string.Join(" | ", exception.LibbpfMessages)})";
            throw new CaptureException($"af-packet: interface '{options.Interface}': XDP bypass filter: {exception.Message}{libbpf}", exception);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows() => Interlocked.Exchange(ref _restored, null) ?? [];

    /// <inheritdoc />
    /// <remarks>Adopted flows are owned by the strategy: the sweeper no longer expires their entries.</remarks>
    public void Adopt(in RestoredBypassedFlow flow, BypassRecord record) => _filter.Strategy.Adopt(in flow, record);

    private static void LoadHeaderRules(EbpfBypassStrategy strategy, LiveInterfaceOptions options, ILoggerFactory loggerFactory)
    {
        if (options.HeaderBypassRules.Count == 0)
        {
            return;
        }

        if (!options.XdpBypassRules)
        {
            EbpfLog.KernelRulesOff(loggerFactory.CreateLogger<XdpInterfaceBypass>(), options.Interface, options.HeaderBypassRules.Count);
            return;
        }

        strategy.LoadHeaderRules(options.HeaderBypassRules);
    }

    /// <inheritdoc />
    public void Detach()
    {
        _sweeper.Stop();
        _filter.Stop();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sweeper.Dispose();
        _filter.Dispose();
    }
}
