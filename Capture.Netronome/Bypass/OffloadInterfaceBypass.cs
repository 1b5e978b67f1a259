using Capture.Abstractions;
using Capture.Linux.Bypass;
using Capture.Linux.Xdp;
using Capture.Linux.Xdp.Filter;
using Capture.Netronome.Configuration;
using Capture.Netronome.Native;
using Microsoft.Extensions.Logging;

namespace Capture.Netronome.Bypass;

/// <summary>
/// The offloaded bypass of one interface, plugged into af-packet's sources through their
/// <see cref="IInterfaceBypass"/> seam: the XDP filter with shared maps (bound to the NIC in
/// <c>hw</c> mode), its strategy, and a lease on the plugin's bypass manager.
/// </summary>
internal sealed class OffloadInterfaceBypass : IInterfaceBypass
{
    private readonly XdpBypassFilter _filter;
    private readonly OffloadBypassManager _manager;
    private readonly OffloadBypassStrategy _strategy;
    private int _disposed;

    private OffloadInterfaceBypass(XdpBypassFilter filter, OffloadBypassManager manager, OffloadBypassStrategy strategy)
    {
        _filter = filter;
        _manager = manager;
        _strategy = strategy;
    }

    /// <inheritdoc />
    public IBypassStrategy Strategy => _strategy;

    /// <summary>The filter (for tests and tools).</summary>
    internal XdpBypassFilter Filter => _filter;

    /// <summary>Starts the filter in the configured mode and registers the interface with the bypass manager.</summary>
    /// <exception cref="CaptureException">The NIC or driver refused (the message names interface, driver, the kernel's reason and the mode that would work).</exception>
    public static OffloadInterfaceBypass Start(OffloadInterfaceOptions settings, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        XdpBypassOptions options = settings.ToFilterOptions();
        ILogger logger = loggerFactory.CreateLogger<OffloadInterfaceBypass>();
        OffloadBypassManager manager = OffloadBypassManager.Acquire(loggerFactory);
        XdpBypassFilter filter;
        try
        {
            filter = XdpBypassFilter.Start(options, loggerFactory);
        }
        catch (BpfException exception)
        {
            manager.ReleaseLease();
            throw Refusal(settings, exception);
        }
        catch
        {
            manager.ReleaseLease();
            throw;
        }

        var strategy = new OffloadBypassStrategy(filter, manager, logger);
        using (var register = new OffloadRequest(OffloadRequestKind.Register, strategy, default, null))
        {
            manager.Control(register);
        }

        if (ReceiveOffload.IsGroOn(options.Interface) == true)
        {
            NetronomeLog.GroOn(logger, options.Interface);
        }

        NetronomeLog.Offloaded(logger, options.Interface, XdpBypassOptions.FormatMode(options.Mode), options.MapCapacity, settings.Threads);
        return new OffloadInterfaceBypass(filter, manager, strategy);
    }

    /// <inheritdoc />
    public void Detach() => _filter.Stop();

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var unregister = new OffloadRequest(OffloadRequestKind.Unregister, _strategy, default, null))
        {
            _manager.Control(unregister);
        }

        _filter.Dispose();
        _manager.ReleaseLease();
    }

    private static CaptureException Refusal(OffloadInterfaceOptions settings, BpfException exception)
    {
        string iface = settings.Options.Interface;
        string driver = InterfaceDriver.Name(iface);
        bool virtualDevice = !Directory.Exists($"/sys/class/net/{iface}/device");
        string kind = virtualDevice ? $"driver '{driver}', a virtual device (no /sys/class/net/{iface}/device)" : $"driver '{driver}'";
        string mode = XdpBypassOptions.FormatMode(settings.Mode);
        string works = InterfaceDriver.HasNativeXdp(driver) ? "xdp-mode: driver or xdp-mode: soft" : "xdp-mode: soft";
        string message = settings.Mode == XdpMode.Hardware
            ? $"netronome: {settings.Options.Location}: {iface} ({kind}) cannot offload the bypass filter (xdp-mode: hw). Kernel: {exception.Message}" +
              $"{Environment.NewLine}Offload needs a NIC whose driver supports BPF offload (nfp: Netronome Agilio). Without one, {works} runs the same program and shared maps in the kernel on {iface}."
            : $"netronome: {settings.Options.Location}: {iface} ({kind}): the bypass filter could not start in xdp-mode: {mode}. Kernel: {exception.Message}";
        return new CaptureException(message, exception);
    }
}
