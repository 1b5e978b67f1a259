using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Conformance;

/// <summary>
/// Reads every source of a scenario on its own task, copies each packet out and releases the batch
/// at once. Tests wait on what has arrived so far.
/// </summary>
public sealed class FrameCollector
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedFrame> _frames = [];
    private readonly Task _completion;
    private readonly IReadOnlyList<ICaptureSource> _sources;

    /// <summary>Starts reading.</summary>
    /// <param name="sources">The sources.</param>
    public FrameCollector(IReadOnlyList<ICaptureSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = sources;
        var readers = new Task[sources.Count];
        for (int i = 0; i < sources.Count; i++)
        {
            int index = i;
            readers[i] = Task.Run(() => ReadAsync(index, sources[index]));
        }

        _completion = Task.WhenAll(readers);
    }

    /// <summary>
    /// Each source's own counters, for a failure message: a frame that did not arrive shows there as
    /// a kernel drop or an error, or it never reached the source.
    /// </summary>
    /// <param name="sources">The sources.</param>
    /// <returns>One clause per source.</returns>
    public static string DescribeStatistics(IEnumerable<ICaptureSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return string.Join("; ", sources.Select(source =>
        {
            CaptureStatistics statistics = source.GetStatistics();
            return $"{source.Name}: {statistics.PacketsReceived} received, {statistics.KernelDrops} kernel drops, {statistics.Errors} errors";
        }));
    }

    /// <summary>Completes when every source's channel completed (faulted when one failed).</summary>
    public Task Completion => _completion;

    /// <summary>What has arrived so far.</summary>
    public IReadOnlyList<ReceivedFrame> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Copies a packet out of a batch, putting back a VLAN tag the capture stripped.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="record">One of its records.</param>
    /// <returns>The frame as it was on the wire.</returns>
    public static byte[] CopyFrame(CaptureBatch batch, in PacketRecord record)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ReadOnlySpan<byte> data = batch.GetPacketData(record);
        if ((record.Flags & PacketFlags.VlanTciValid) == 0 || record.LinkType != LinkType.Ethernet || data.Length < 12)
        {
            return data.ToArray();
        }

        byte[] frame = new byte[data.Length + 4];
        data[..12].CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), record.VlanTci);
        data[12..].CopyTo(frame.AsSpan(16));
        return frame;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for what has arrived.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>A task that fails with a <see cref="TimeoutException"/> describing what arrived.</returns>
    public async Task WaitForAsync(Func<IReadOnlyList<ReceivedFrame>, bool> condition, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<ReceivedFrame> frames = Frames;
            if (condition(frames))
            {
                return;
            }

            if (_completion.IsCompleted)
            {
                await _completion; // surfaces a capture failure
                if (condition(Frames))
                {
                    return;
                }

                throw new TimeoutException($"the sources ended before {what}; {frames.Count} frame(s) arrived ({DescribeStatistics(_sources)})");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; {frames.Count} frame(s) arrived ({DescribeStatistics(_sources)})");
            }

            await Task.Delay(10);
        }
    }

    private async Task ReadAsync(int sourceIndex, ICaptureSource source)
    {
        int batchNumber = 0;
        await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
        {
            try
            {
                var copies = new List<ReceivedFrame>(batch.Packets.Length);
                foreach (ref readonly PacketRecord record in batch.Packets)
                {
                    copies.Add(new ReceivedFrame(sourceIndex, batchNumber, record, CopyFrame(batch, record)));
                }

                lock (_gate)
                {
                    _frames.AddRange(copies);
                }
            }
            finally
            {
                batch.Release();
            }

            batchNumber++;
        }
    }
}
