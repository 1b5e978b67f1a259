using Capture.Abstractions;

namespace Capture.AfPacket.Bench;

/// <summary>Reads every batch of the sources on one thread each, touches each packet's first byte and releases the batch: the engine's minimum.</summary>
internal sealed class RingConsumer
{
    private readonly Task[] _readers;
    private long _packets;
    private long _checksum;

    public RingConsumer(IReadOnlyList<ICaptureSource> sources)
    {
        _readers = [.. sources.Select(source => Task.Run(() => ReadAsync(source)))];
    }

    public long Packets => Interlocked.Read(ref _packets);

    /// <summary>Keeps the touched bytes observable so the reads are not optimised away.</summary>
    public long Checksum => Interlocked.Read(ref _checksum);

    public Task Completion => Task.WhenAll(_readers);

    private async Task ReadAsync(ICaptureSource source)
    {
        var reader = source.Batches;
        long local = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out CaptureBatch? batch))
            {
                local += Touch(batch);
                Interlocked.Add(ref _packets, batch.Packets.Length);
                batch.Release();
            }
        }

        Interlocked.Add(ref _checksum, local);
    }

    private static long Touch(CaptureBatch batch)
    {
        long sum = 0;
        ReadOnlySpan<byte> buffer = batch.Buffer;
        foreach (ref readonly PacketRecord record in batch.Packets)
        {
            sum += buffer[record.Offset];
        }

        return sum;
    }
}
