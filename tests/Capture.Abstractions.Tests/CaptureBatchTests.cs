using Capture.Abstractions;

namespace Capture.Abstractions.Tests;

public sealed class CaptureBatchTests
{
    [Fact]
    public void A_record_points_at_its_packet_in_the_batch_buffer()
    {
        byte[] buffer = [0, 0, 1, 2, 3, 0, 4, 5];
        PacketRecord[] records =
        [
            new() { Offset = 2, CaptureLength = 3, OriginalLength = 60, LinkType = LinkType.Ethernet },
            new() { Offset = 6, CaptureLength = 2, OriginalLength = 2, LinkType = LinkType.Raw },
        ];
        var batch = new ArrayBatch(buffer, records);

        Assert.Equal(new byte[] { 1, 2, 3 }, batch.GetPacketData(batch.Packets[0]).ToArray());
        Assert.Equal(new byte[] { 4, 5 }, batch.GetPacketData(batch.Packets[1]).ToArray());
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<PacketRecord>());
    }

    private sealed class ArrayBatch(byte[] buffer, PacketRecord[] records) : CaptureBatch
    {
        public override ReadOnlySpan<PacketRecord> Packets => records;

        public override ReadOnlySpan<byte> Buffer => buffer;

        public override ICaptureSource Source => throw new NotSupportedException("not needed here");

        public override void Release()
        {
        }
    }
}
