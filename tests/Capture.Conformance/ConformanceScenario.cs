using Capture.Abstractions;

namespace Capture.Conformance;

/// <summary>
/// A plugin's way of making its sources deliver frames the suite chooses: a pcap file or FIFO for
/// the pcap-file plugin, a veth pair in a network namespace for a live capture. Lifecycle, driven by the
/// suite: created (sources not started) → <see cref="StartAsync"/> → <see cref="SendAsync"/> one or more
/// times → <see cref="EndInputAsync"/> → <see cref="DisposeAsync"/> (always, also when a test fails:
/// it removes whatever the scenario created and disposes the sources). Until <see cref="EndInputAsync"/>
/// a scenario of a non-stepwise test may hold frames back (a file is written whole); tests that wait
/// for frames before the end of the input ask for <see cref="ConformanceScenarioOptions.Stepwise"/>.
/// </summary>
public abstract class ConformanceScenario : IAsyncDisposable
{
    /// <summary>The plugin's descriptor (from its factory).</summary>
    public abstract CapturePluginDescriptor Descriptor { get; }

    /// <summary>The sources under test, as the plugin's factory created them (not started).</summary>
    public abstract IReadOnlyList<ICaptureSource> Sources { get; }

    /// <summary>
    /// True for offline sources: after <see cref="EndInputAsync"/> every source's channel completes
    /// by itself once everything was delivered. False for live sources: the suite stops them.
    /// </summary>
    public abstract bool CompletesAtEndOfInput { get; }

    /// <summary>
    /// Live interfaces can see frames nobody sent (IPv6 neighbour discovery, ...); when true the
    /// suite ignores delivered frames it did not send (and counts statistics as "at least").
    /// </summary>
    public virtual bool MayDeliverForeignFrames => false;

    /// <summary>Whether <see cref="ConformanceScenarioOptions.BypassTableEntries"/> was applied to the sources.</summary>
    public virtual bool AppliesBypassTableEntries => false;

    /// <summary>Starts the sources (a scenario may defer this until its input exists, e.g. a file written at <see cref="EndInputAsync"/>).</summary>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>A task.</returns>
    public virtual async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (ICaptureSource source in Sources)
        {
            await source.StartAsync(cancellationToken);
        }
    }

    /// <summary>Delivers Ethernet frames to the sources, in this order (written to the file, sent on the wire, ...).</summary>
    /// <param name="frames">Whole Ethernet frames.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>A task that completes when the frames are sent.</returns>
    public abstract Task SendAsync(IReadOnlyList<byte[]> frames, CancellationToken cancellationToken);

    /// <summary>No more frames will be sent (an offline input ends here).</summary>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>A task.</returns>
    public abstract Task EndInputAsync(CancellationToken cancellationToken);

    /// <summary>Tears everything down: disposes the sources, removes files, namespaces, interfaces.</summary>
    /// <returns>A task.</returns>
    public abstract ValueTask DisposeAsync();
}
