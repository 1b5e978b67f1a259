using Capture.Abstractions;
using Capture.Tests.Shared;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// A fast, fixed-seed subset of the decoder fuzzer (the full one, over a million inputs, is in
/// bench/Capture.Benchmarks): random bytes, random bytes behind valid headers, and real packets
/// truncated and with flipped bits. No input may throw or trip a bounds check.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class DecoderFuzzTests
{
    private static readonly LinkType[] LinkTypes =
        [LinkType.Ethernet, LinkType.Raw, LinkType.IPv4, LinkType.IPv6, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop, (LinkType)105];

    private static readonly string[] Seeds =
    [
        "pcapplusplus/many-protocols.pcap", "pcapplusplus/ip-frag.pcap", "pcapplusplus/ipv6-frag.pcap",
        "pcapplusplus/pkt_GrePackets.pcap", "pcapplusplus/pkt_MplsPackets.pcap", "pcapplusplus/pkt_PPPoESession.pcap",
        "pcapplusplus/pkt_Vxlan1.pcap", "pcapplusplus/pkt_ipv6_options.pcap", "pcapplusplus/pkt_IcmpPackets.pcap",
        "pcapplusplus/sll2.pcap", "pcapplusplus/null_loopback.pcap", "pcapplusplus/VlanPackets.pcap",
        "tcpdump/vxlan.pcap", "tcpdump/various_gre.pcap", "tcpreplay/test.pcap",
    ];

    [Fact]
    public void Fifty_thousand_hostile_inputs_decode_without_exceptions()
    {
        var rng = new Random(20261121);
        var t = new DecoderUnderTest(defragOptions: new DefragOptions { Memcap = 1 << 20, Trackers = 64, MaxFragments = 256 });
        var seeds = Seeds.SelectMany(s => TestCaptureReader.Read(SharedPcaps.Get(s))).Where(p => p.Data.Length > 0).ToList();
        Assert.True(seeds.Count > 1000, $"only {seeds.Count} seed packets");
        byte[][] prefixes =
        [
            Ethernet(0x0800, IPv4(17, Udp(1, 4789, []))),
            Ethernet(0x0800, IPv4(47, [])),
            Ethernet(0x86DD, IPv6(0, [])),
            Ethernet(0x8100, Vlan(1, 0x8847, [])),
            Ethernet(0x0800, IPv4(1, [3, 1, 0, 0, 0, 0, 0, 0])),
            Ethernet(0x86DD, IPv6(58, [1, 0, 0, 0, 0, 0, 0, 0])),
            Ethernet(0x0800, IPv4(17, [], flagsAndOffset: 0x2000)),
        ];

        DecodedPacket packet = default;
        for (int i = 0; i < 50_000; i++)
        {
            byte[] data;
            LinkType linkType;
            switch (i % 3)
            {
                case 0:
                    data = new byte[rng.Next(0, 160)];
                    rng.NextBytes(data);
                    linkType = LinkTypes[rng.Next(LinkTypes.Length)];
                    break;
                case 1:
                {
                    byte[] prefix = prefixes[rng.Next(prefixes.Length)];
                    byte[] tail = new byte[rng.Next(0, 120)];
                    rng.NextBytes(tail);
                    data = Cat(prefix, tail);
                    if (rng.Next(2) == 0)
                    {
                        // Make the IP length agree with the data sometimes, so decoding goes deeper.
                        FixLengths(data);
                    }

                    linkType = LinkType.Ethernet;
                    break;
                }

                default:
                {
                    TestCapturePacket seed = seeds[rng.Next(seeds.Count)];
                    data = (byte[])seed.Data.Clone();
                    linkType = seed.Record.LinkType;
                    int flips = rng.Next(0, 6);
                    for (int f = 0; f < flips; f++)
                    {
                        data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                    }

                    if (rng.Next(2) == 0)
                    {
                        data = data[..rng.Next(data.Length + 1)];
                    }

                    break;
                }
            }

            var record = new PacketRecord
            {
                TimestampNanoseconds = i * 1_000_000L,
                CaptureLength = data.Length,
                OriginalLength = data.Length + (rng.Next(8) == 0 ? 100 : 0),
                LinkType = linkType,
                VlanTci = (ushort)rng.Next(),
                Flags = (PacketFlags)rng.Next(8),
            };
            t.Decoder.Decode(data, in record, ref packet, out ReadOnlySpan<byte> bytes);
            Assert.InRange(packet.LayerCount, 0, DecodedPacket.MaxLayers);
            for (int l = 0; l < packet.LayerCount; l++)
            {
                PacketLayer layer = packet.Layers[l];
                Assert.InRange(layer.NetworkOffset, 0, bytes.Length);
                Assert.InRange(layer.TransportOffset, 0, bytes.Length);
                Assert.InRange(layer.PayloadOffset, 0, bytes.Length);
                Assert.InRange(layer.PayloadOffset + layer.PayloadLength, 0, bytes.Length);
            }

            if (i % 1000 == 0)
            {
                t.Defragmenter!.Expire(record.TimestampNanoseconds);
            }
        }

        Assert.Equal(0, t["decoder.event.internal_error"]);
        Assert.Equal(50_000, t.Counters.Packets);
        Assert.True(t.Counters.DecoderErrors > 1000);
        Assert.True(t["decoder.tcp"] + t["decoder.udp"] > 1000);
    }

    private static void FixLengths(byte[] frame)
    {
        if (frame.Length < 14 + 20)
        {
            return;
        }

        int ipLength = frame.Length - 14;
        if (frame[12] == 0x08 && frame[13] == 0x00)
        {
            frame[16] = (byte)(ipLength >> 8);
            frame[17] = (byte)ipLength;
            if (frame[23] == 17 && frame.Length >= 14 + 28)
            {
                frame[38] = (byte)((ipLength - 20) >> 8);
                frame[39] = (byte)(ipLength - 20);
            }
        }
        else if (frame[12] == 0x86 && frame[13] == 0xDD && frame.Length >= 54)
        {
            frame[18] = (byte)((ipLength - 40) >> 8);
            frame[19] = (byte)(ipLength - 40);
        }
    }
}
