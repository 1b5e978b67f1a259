using System.Threading.Channels;

namespace Capture.Abstractions;

/// <summary>
/// One stream of packets: a file, or one socket of an interface (several per interface with fanout).
/// The engine runs one worker per source, so everything a source hands out is read by one thread.
/// </summary>
public interface ICaptureSource : IAsyncDisposable
{
    /// <summary>A name for logs and stats: the file, or <c>eth0</c>, <c>eth0#2</c> for fanout sockets.</summary>
    string Name { get; }

    /// <summary>The interface (or file) this source belongs to; several fanout sources share one.</summary>
    string InterfaceName { get; }

    /// <summary>What this source can do.</summary>
    CaptureCapabilities Capabilities { get; }

    /// <summary>
    /// The bypass strategy for flows seen on this source, or null when it cannot bypass
    /// (flows are then bypassed locally by the engine).
    /// </summary>
    IBypassStrategy? BypassStrategy { get; }

    /// <summary>
    /// Batches in capture order. The channel completes at the end of an offline capture or after
    /// <see cref="StopAsync"/>, and completes with an exception on a fatal capture error.
    /// </summary>
    ChannelReader<CaptureBatch> Batches { get; }

    /// <summary>Opens the capture and starts delivering batches.</summary>
    /// <param name="cancellationToken">Cancels the start itself.</param>
    /// <returns>A task that completes when packets can flow.</returns>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops delivering; batches already delivered stay valid until released.</summary>
    /// <param name="cancellationToken">Cancels waiting for the stop.</param>
    /// <returns>A task that completes when no more batches will be written.</returns>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Counters so far (cumulative; never reset by reading).</summary>
    /// <returns>A snapshot.</returns>
    CaptureStatistics GetStatistics();
}
