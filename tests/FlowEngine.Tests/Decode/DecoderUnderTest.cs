using System.Buffers.Binary;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;

namespace FlowEngine.Tests.Decode;

/// <summary>A decoder with its counters (and optionally a defragmenter), and a one-call decode.</summary>
internal sealed class DecoderUnderTest
{
    public DecoderUnderTest(bool defrag = true, DefragOptions? defragOptions = null, DecoderOptions? options = null)
    {
        Counters = new DecoderCounters();
        Defragmenter = defrag ? new Defragmenter(defragOptions ?? new DefragOptions(), Counters) : null;
        Decoder = new PacketDecoder(Counters, options, Defragmenter);
    }

    public DecoderCounters Counters { get; }

    public Defragmenter? Defragmenter { get; }

    public PacketDecoder Decoder { get; }

    public DecodedPacket Packet;

    public byte[] LastBytes = [];

    public DecodeResult Decode(byte[] data, LinkType linkType = LinkType.Ethernet, long ns = 1_000_000_000)
    {
        PacketRecord record = TestPackets.Record(data, linkType, ns);
        return Decode(data, record);
    }

    public DecodeResult Decode(byte[] data, PacketRecord record)
    {
        DecodeResult result = Decoder.Decode(data, in record, ref Packet, out ReadOnlySpan<byte> bytes);
        LastBytes = bytes.ToArray();
        Assert.Equal(result, Packet.Result);
        return result;
    }

    public long this[string name] => Counters.Get(name);

    public PacketLayer Layer(int index) => Packet.Layers[index];
}
