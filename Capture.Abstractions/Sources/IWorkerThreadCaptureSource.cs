namespace Capture.Abstractions;

/// <summary>
/// An offline capture source the engine's one worker can read on its own thread, as Suricata's
/// <c>single</c> runmode does: no reader thread and no handoff between threads. Optional; the
/// engine asks for it only for one offline source read by one worker.
/// </summary>
/// <remarks>
/// The source writes its batches to <see cref="ICaptureSource.Batches"/> as usual. Where a reader
/// thread would wait for the engine to release a batch, the source calls the engine back instead,
/// and the engine processes and releases the oldest batch written: what the capture delivers, and
/// where a bypass acts, are those of the threaded run.
/// </remarks>
public interface IWorkerThreadCaptureSource : ICaptureSource
{
    /// <summary>
    /// Asks the source to be read on the engine's worker thread through <see cref="ReadOnWorkerThread"/>
    /// instead of a thread of its own. Called before <see cref="ICaptureSource.StartAsync"/>.
    /// </summary>
    /// <returns>True when it agreed; false when it cannot (a pipe, whose reads may block), and then it starts its own thread as usual.</returns>
    bool PrepareWorkerThreadRead();

    /// <summary>
    /// Reads the whole capture on the calling thread, after <see cref="ICaptureSource.StartAsync"/>,
    /// until the capture ends or <see cref="ICaptureSource.StopAsync"/> is called; the batch channel is
    /// complete when it returns (with the capture's failure, if any).
    /// </summary>
    /// <param name="processOldest">
    /// Called whenever the source needs a batch and every batch is out: takes one batch from
    /// <see cref="ICaptureSource.Batches"/>, processes it and releases it.
    /// </param>
    void ReadOnWorkerThread(Action processOldest);
}
