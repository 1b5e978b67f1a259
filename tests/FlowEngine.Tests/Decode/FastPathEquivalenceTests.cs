using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Abstractions;
using Capture.Tests.Shared;
using FlowEngine.Decode;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// The decoder's straight-line fast path must give exactly what the general walk gives: every
/// packet of the shared captures, and mutated copies of them, is decoded by a decoder with the
/// fast path and one without, into packets pre-filled with the same garbage, and the packets,
/// the bytes handed back and every counter are compared.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class FastPathEquivalenceTests
{
    [Fact]
    public void Fast_path_and_general_walk_decode_every_shared_capture_identically()
    {
        string root = SharedPcaps.Directory;
        var files = Directory.EnumerateFiles(root, "*.pcap*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 800, $"expected the shared captures in {root}, found {files.Count} files");
        var problems = new List<string>();
        long packets = 0, eligible = 0;
        foreach (string file in files)
        {
            List<TestCapturePacket> capture;
            try
            {
                capture = TestCaptureReader.Read(file);
            }
            catch (InvalidDataException)
            {
                continue;
            }

            var pair = new DecoderPair();
            foreach (TestCapturePacket p in capture)
            {
                packets++;
                eligible += pair.DecodeBoth(p.Data, p.Record, problems, Path.GetRelativePath(root, file)) ? 1 : 0;
            }

            pair.CompareCounters(problems, Path.GetRelativePath(root, file));
            if (problems.Count > 20)
            {
                break;
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(20)));
        Assert.True(packets > 100_000, $"only {packets} packets decoded");

        // The comparison must cover the fast path itself, not only packets it hands on.
        Assert.True(eligible > 30_000, $"only {eligible} packets were single-layer Ethernet TCP/UDP");
    }

    [Fact]
    public void Fast_path_and_general_walk_agree_on_mutated_packets()
    {
        // Real Ethernet packets with bytes changed in the headers, cut short, and with the record's
        // VLAN, truncation and snap facts varied: the boundaries where the fast path must hand on.
        var sources = new List<TestCapturePacket>();
        foreach (string file in Directory.EnumerateFiles(SharedPcaps.Directory, "*.pcap*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                sources.AddRange(TestCaptureReader.Read(file).Where(p => p.Record.LinkType == LinkType.Ethernet && p.Data.Length >= 34));
            }
            catch (InvalidDataException)
            {
                continue;
            }

            if (sources.Count > 40_000)
            {
                break;
            }
        }

        Assert.True(sources.Count > 10_000, $"only {sources.Count} Ethernet packets found");
        var random = new Random(3);
        var pair = new DecoderPair();
        var problems = new List<string>();
        int eligible = 0;
        for (int i = 0; i < 200_000 && problems.Count < 20; i++)
        {
            TestCapturePacket source = sources[random.Next(sources.Count)];
            byte[] data = (byte[])source.Data.Clone();
            int flips = random.Next(0, 4);
            for (int f = 0; f < flips; f++)
            {
                int at = random.Next(Math.Min(data.Length, 80));
                data[at] = random.Next(3) switch { 0 => (byte)(data[at] ^ (1 << random.Next(8))), 1 => 0, _ => (byte)random.Next(256) };
            }

            if (random.Next(4) == 0)
            {
                data = data.AsSpan(0, random.Next(data.Length + 1)).ToArray();
            }

            PacketRecord record = source.Record;
            record.CaptureLength = data.Length;
            record.OriginalLength = random.Next(3) == 0 ? data.Length + random.Next(1, 100) : data.Length;
            if (random.Next(6) == 0)
            {
                record.Flags |= PacketFlags.Truncated;
            }

            if (random.Next(6) == 0)
            {
                record.Flags |= PacketFlags.VlanTciValid;
                record.VlanTci = (ushort)random.Next(65536);
            }

            eligible += pair.DecodeBoth(data, record, problems, $"mutation {i}") ? 1 : 0;
        }

        pair.CompareCounters(problems, "mutations");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(20)));
        Assert.True(eligible > 20_000, $"only {eligible} mutated packets were single-layer Ethernet TCP/UDP");
    }

    private sealed class DecoderPair
    {
        private readonly DecoderUnderTest _fast = new(options: new DecoderOptions { FastPath = true });
        private readonly DecoderUnderTest _general = new(options: new DecoderOptions { FastPath = false });
        private long _lastExpire = long.MinValue;

        /// <summary>Decodes with both; true when the packet is one the fast path takes.</summary>
        public bool DecodeBoth(byte[] data, PacketRecord record, List<string> problems, string where)
        {
            DecodedPacket fast = Garbage();
            DecodedPacket general = Garbage();
            DecodeResult fastResult = _fast.Decoder.Decode(data, in record, ref fast, out ReadOnlySpan<byte> fastBytes);
            byte[] fastCopy = fastBytes.ToArray();
            DecodeResult generalResult = _general.Decoder.Decode(data, in record, ref general, out ReadOnlySpan<byte> generalBytes);
            if (record.TimestampNanoseconds - _lastExpire > 1_000_000_000)
            {
                _fast.Defragmenter!.Expire(record.TimestampNanoseconds);
                _general.Defragmenter!.Expire(record.TimestampNanoseconds);
                _lastExpire = record.TimestampNanoseconds;
            }

            string a = Describe(in fast), b = Describe(in general);
            if (fastResult != generalResult || a != b || !generalBytes.SequenceEqual(fastCopy))
            {
                problems.Add($"{where}: fast {fastResult} {a}{Environment.NewLine}  general {generalResult} {b}");
            }

            ref readonly PacketLayer first = ref general.Layers[0];
            return record.LinkType == LinkType.Ethernet && generalResult == DecodeResult.Ok && general.LayerCount == 1
                && first.Protocol is 6 or 17 && (first.Flags & PacketLayerFlags.Fragment) == 0;
        }

        public void CompareCounters(List<string> problems, string where)
        {
            var fast = _fast.Counters.Enumerate().ToList();
            var general = _general.Counters.Enumerate().ToList();
            for (int i = 0; i < fast.Count; i++)
            {
                if (fast[i].Value != general[i].Value)
                {
                    problems.Add($"{where}: counter {fast[i].Key}: fast {fast[i].Value}, general {general[i].Value}");
                }
            }
        }

        private static DecodedPacket Garbage()
        {
            DecodedPacket p = default;
            MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref p, 1)).Fill(0xA5);
            return p;
        }

        private static string Describe(in DecodedPacket p)
        {
            var s = new StringBuilder();
            PacketRecord r = p.Record;
            s.Append(CultureInfo.InvariantCulture, $"rec[{r.LinkType} {r.Offset} {r.CaptureLength} {r.OriginalLength} {r.Flags} {r.VlanTci} {r.InterfaceId} {r.TimestampNanoseconds}] ");
            s.Append(CultureInfo.InvariantCulture, $"n={p.LayerCount} smac={p.SourceMac:x} dmac={p.DestinationMac:x} et={p.EtherType:x} res={p.Result}");
            for (int i = 0; i < DecodedPacket.MaxLayers; i++)
            {
                // Every layer, also those past LayerCount: both paths must leave them alike.
                PacketLayer l = p.Layers[i];
                s.Append(CultureInfo.InvariantCulture, $" | {Hex(l.Source)} {Hex(l.Destination)} {l.SourcePort} {l.DestinationPort} p{l.Protocol} v6={l.IsIPv6} d{l.TunnelDepth} f{l.TcpFlags} ");
                s.Append(CultureInfo.InvariantCulture, $"vl{l.VlanCount} {l.Vlan0} {l.Vlan1} {l.Vlan2} icmp{l.IcmpType}/{l.IcmpCode} fl={l.Flags} no{l.NetworkOffset} to{l.TransportOffset} ");
                s.Append(CultureInfo.InvariantCulture, $"po{l.PayloadOffset} pl{l.PayloadLength} ip{l.IPLength} seq{l.TcpSequence} ack{l.TcpAcknowledgement}");
            }

            return s.ToString();
        }

        private static string Hex(FlowAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.CopyTo(bytes);
            return Convert.ToHexString(bytes);
        }
    }
}
