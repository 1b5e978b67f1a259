using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>The plugin on the host end of a veth, frames sent from the namespace end; the offload emulated in the given xdp-mode (driver or soft).</summary>
internal sealed class NetronomeScenario : ConformanceScenario
{
    private readonly PluginHarness _harness;
    private readonly NetnsFrameSender _sender;
    private readonly IReadOnlyList<ICaptureSource> _sources;
    private int _disposed;

    public NetronomeScenario(VethNamespace net, string mode, int? bypassTableEntries)
    {
        (string, string)[] extra = bypassTableEntries is { } entries
            ? [("bypass-map-size", Math.Max(1, entries / 2).ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [];
        _harness = new PluginHarness(TestConfig.Section(TestConfig.Emulated(net.HostInterface, threads: 2, mode: mode, extra: extra)));
        _sources = _harness.CreateSources();
        // Small bursts: with native XDP a veth queues frames in a 256-entry ring until its NAPI runs,
        // which a loaded machine can delay by milliseconds.
        _sender = net.CreateSender();
        _sender.BurstSize = 8;
    }

    public override CapturePluginDescriptor Descriptor => _harness.Plugin.Descriptor;

    public override IReadOnlyList<ICaptureSource> Sources => _sources;

    public override bool CompletesAtEndOfInput => false;

    // The namespace's kernel may send IPv6 neighbour/multicast frames of its own on the veth.
    public override bool MayDeliverForeignFrames => true;

    public override bool AppliesBypassTableEntries => true;

    public override Task SendAsync(IReadOnlyList<byte[]> frames, CancellationToken cancellationToken) =>
        Task.Run(() => _sender.Send(frames), cancellationToken);

    public override Task EndInputAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (ICaptureSource source in _sources)
        {
            await source.DisposeAsync();
        }

        _harness.Dispose();
    }
}
