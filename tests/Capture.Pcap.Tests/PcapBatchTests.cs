using Capture.Abstractions;
using Capture.Pcap.Files;
using Capture.Pcap.Sources;

namespace Capture.Pcap.Tests;

/// <summary>A batch whose packets span two read buffers: copied into a buffer its pool lends it until it is emptied.</summary>
public sealed class PcapBatchTests
{
    [Fact]
    public async Task A_batch_spanning_two_read_buffers_copies_into_a_lent_buffer_that_only_an_emptied_batch_gives_back()
    {
        // The pool needs a source to stamp its batches with; nothing is read from the file.
        string path = Path.Combine(Path.GetTempPath(), $"pcap-batch-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        await File.WriteAllBytesAsync(path, [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
        try
        {
            await BatchesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task BatchesAsync(string path)
    {
        await using ICaptureSource source = PcapHarness.Open(path);
        PcapBatchPool pool = new(source, batches: 3, packetsPerBatch: 8, bytesPerBatch: 256);
        ReadChunk first = Chunk(0x10);
        ReadChunk second = Chunk(0x80);

        // a: a packet in the first read buffer, then one in the second: both copied out.
        PcapBatch a = pool.Rent(CancellationToken.None);
        Add(a, first, 0, 10);
        Assert.True(first.IsHeld);
        Add(a, second, 0, 5);
        Assert.False(first.IsHeld);
        Assert.Equal(1, pool.CopyBuffersMade);
        byte[] aBytes = [.. first.Bytes.AsSpan(0, 10), .. second.Bytes.AsSpan(0, 5)];
        Assert.Equal(aBytes, a.Buffer.ToArray());

        // b copies while a still holds its copy: another buffer, and a's bytes stay.
        PcapBatch b = pool.Rent(CancellationToken.None);
        Add(b, second, 20, 7);
        Add(b, first, 30, 3);
        Assert.Equal(2, pool.CopyBuffersMade);
        Assert.Equal(aBytes, a.Buffer.ToArray());
        Assert.Equal([.. second.Bytes.AsSpan(20, 7), .. first.Bytes.AsSpan(30, 3)], b.Buffer.ToArray());

        // Released, a's buffer goes to the next batch that copies, which sees only its own packets.
        a.MarkLeased();
        a.Release();
        PcapBatch c = pool.Rent(CancellationToken.None);
        Add(c, first, 40, 4);
        Add(c, second, 50, 6);
        Assert.Equal(2, pool.CopyBuffersMade);
        Assert.Equal(2, c.Count);
        Assert.Equal([.. first.Bytes.AsSpan(40, 4), .. second.Bytes.AsSpan(50, 6)], c.Buffer.ToArray());
        Assert.Equal(4, c.Packets[1].Offset);
        Assert.Equal(6, c.Packets[1].CaptureLength);
        Assert.Equal([.. second.Bytes.AsSpan(20, 7), .. first.Bytes.AsSpan(30, 3)], b.Buffer.ToArray());
    }

    private static ReadChunk Chunk(byte seed)
    {
        ReadChunk chunk = new(128);
        for (int i = 0; i < chunk.Bytes.Length; i++)
        {
            chunk.Bytes[i] = (byte)(seed + i);
        }

        return chunk;
    }

    private static void Add(PcapBatch batch, ReadChunk chunk, int offset, int length)
    {
        FileRecord record = new() { TimestampNanoseconds = 1, CaptureLength = length, OriginalLength = length };
        Assert.True(batch.TryAdd(in record, LinkType.Ethernet, PacketFlags.None, chunk.Bytes.AsSpan(offset, length), (uint)batch.Count + 1, chunk));
    }
}
