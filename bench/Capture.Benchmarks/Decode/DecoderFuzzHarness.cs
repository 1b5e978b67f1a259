using System.Diagnostics;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;

namespace Capture.Benchmarks.Decode;

/// <summary>
/// The decoder fuzzer: random bytes under every link type, random bytes behind valid
/// Ethernet/IP/tunnel headers, and the shared captures' packets truncated and with flipped bits —
/// by default 1,000,000 inputs from a fixed seed. Fails (exit code 1) on any exception, any
/// bounds check the decoder missed (<c>decoder.event.internal_error</c>), or a layer offset
/// outside the packet. Run: <c>dotnet run -c Release --project bench/Capture.Benchmarks -- run decoder-fuzz [inputs] [seed]</c>.
/// </summary>
internal sealed class DecoderFuzzHarness : IBenchmarkHarness
{
    /// <summary>The harness's command-line name.</summary>
    public const string HarnessName = "decoder-fuzz";

    /// <inheritdoc />
    public string Name => HarnessName;

    /// <inheritdoc />
    public string Description => "packet decoder fuzzer: random, header-led and mutated real packets (default 1,000,000 inputs)";

    private static readonly LinkType[] LinkTypes =
        [LinkType.Ethernet, LinkType.Raw, LinkType.IPv4, LinkType.IPv6, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop, (LinkType)105];

    /// <summary>Runs the fuzzer; arguments: input count (default 1,000,000), seed (default 1).</summary>
    /// <param name="args">Optional count and seed.</param>
    /// <returns>0 when every input decoded cleanly, 1 otherwise.</returns>
    public int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        long inputs = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        int seed = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
        BenchCaptureSet captures = BenchCaptureSet.Load();
        var counters = new DecoderCounters();
        var decoder = new PacketDecoder(counters, new DecoderOptions(), new DefragOptions { Memcap = 4 << 20, Trackers = 256 });
        var rng = new Random(seed);
        byte[] scratch = new byte[Math.Max(4096, captures.Records.Max(r => r.CaptureLength))];
        byte[][] prefixes = Prefixes();
        DecodedPacket packet = default;
        long failures = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            int length;
            LinkType linkType;
            switch (i % 3)
            {
                case 0:
                    length = rng.Next(0, 200);
                    rng.NextBytes(scratch.AsSpan(0, length));
                    linkType = LinkTypes[rng.Next(LinkTypes.Length)];
                    break;
                case 1:
                {
                    byte[] prefix = prefixes[rng.Next(prefixes.Length)];
                    prefix.CopyTo(scratch, 0);
                    int tail = rng.Next(0, 160);
                    rng.NextBytes(scratch.AsSpan(prefix.Length, tail));
                    length = prefix.Length + tail;
                    if (rng.Next(2) == 0)
                    {
                        FixLengths(scratch.AsSpan(0, length));
                    }

                    linkType = LinkType.Ethernet;
                    break;
                }

                default:
                {
                    PacketRecord seedRecord = captures.Records[rng.Next(captures.Records.Length)];
                    captures.Buffer.AsSpan(seedRecord.Offset, seedRecord.CaptureLength).CopyTo(scratch);
                    length = seedRecord.CaptureLength;
                    linkType = seedRecord.LinkType;
                    if (length > 0)
                    {
                        int flips = rng.Next(0, 8);
                        for (int f = 0; f < flips; f++)
                        {
                            scratch[rng.Next(length)] ^= (byte)(1 << rng.Next(8));
                        }
                    }

                    if (rng.Next(2) == 0)
                    {
                        length = rng.Next(length + 1);
                    }

                    break;
                }
            }

            var record = new PacketRecord
            {
                TimestampNanoseconds = i * 100_000,
                CaptureLength = length,
                OriginalLength = length + (rng.Next(8) == 0 ? 100 : 0),
                LinkType = linkType,
                VlanTci = (ushort)rng.Next(),
                Flags = (PacketFlags)rng.Next(8),
            };
            try
            {
                decoder.Decode(scratch.AsSpan(0, length), in record, ref packet, out ReadOnlySpan<byte> bytes);
                if (!OffsetsInside(in packet, bytes.Length))
                {
                    failures++;
                    Console.WriteLine($"input {i}: a layer offset lies outside the {bytes.Length}-byte packet");
                }
            }
#pragma warning disable CA1031 // the fuzzer reports every exception type instead of dying on the first
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures++;
                Console.WriteLine($"input {i}: {e.GetType().Name}: {e.Message}");
            }

            if ((i & 0x3FFF) == 0)
            {
                decoder.ExpireFragments(record.TimestampNanoseconds);
            }
        }

        long internalErrors = counters.Get("decoder.event.internal_error");
        Console.WriteLine($"{HarnessName}: {inputs:N0} inputs (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"exceptions/offset errors {failures}, missed bounds checks {internalErrors}, decoder events {counters.DecoderErrors:N0}, " +
            $"invalid {counters.Invalid:N0}, tcp {counters.Get("decoder.tcp"):N0}, udp {counters.Get("decoder.udp"):N0}, reassembled {counters.Reassembled:N0}");
        return failures == 0 && internalErrors == 0 ? 0 : 1;
    }

    private static bool OffsetsInside(in DecodedPacket packet, int length)
    {
        if (packet.LayerCount is < 0 or > DecodedPacket.MaxLayers)
        {
            return false;
        }

        for (int l = 0; l < packet.LayerCount; l++)
        {
            PacketLayer layer = packet.Layers[l];
            if (layer.NetworkOffset > length || layer.TransportOffset > length || layer.PayloadOffset > length ||
                layer.PayloadLength < 0 || layer.PayloadOffset + layer.PayloadLength > length)
            {
                return false;
            }
        }

        return true;
    }

    private static byte[][] Prefixes()
    {
        static byte[] Eth(ushort type, params byte[] rest) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte)(type >> 8), (byte)type, .. rest];
        static byte[] V4(byte protocol, ushort fragment = 0, params byte[] rest) =>
            [0x45, 0, 0, 0, 0, 1, (byte)(fragment >> 8), (byte)fragment, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, .. rest];
        static byte[] V6(byte next, params byte[] rest) =>
            [0x60, 0, 0, 0, 0, 0, next, 64, .. new byte[32], .. rest];
        return
        [
            Eth(0x0800, V4(17, 0, 0x30, 0x39, 0x12, 0xB5, 0, 0, 0, 0)), // UDP to VXLAN
            Eth(0x0800, V4(17, 0, 0x30, 0x39, 0x17, 0xC1, 0, 0, 0, 0)), // UDP to Geneve
            Eth(0x0800, V4(17, 0, 0x0D, 0xD8, 0x30, 0x39, 0, 0, 0, 0)), // UDP from Teredo
            Eth(0x0800, V4(47)),
            Eth(0x0800, V4(4)),
            Eth(0x0800, V4(41)),
            Eth(0x0800, V4(1, 0, 3, 1, 0, 0, 0, 0, 0, 0)),
            Eth(0x0800, V4(17, 0x2000)),
            Eth(0x0800, V4(17, 0x0004)),
            Eth(0x86DD, V6(0)),
            Eth(0x86DD, V6(44, 17, 0, 0, 1, 0, 0, 0, 7)),
            Eth(0x86DD, V6(58, 1, 0, 0, 0, 0, 0, 0, 0)),
            Eth(0x8100, 0, 1, 0x88, 0x47),
            Eth(0x8864, 0x11, 0, 0, 1, 0, 0, 0, 0x21),
        ];
    }

    private static void FixLengths(Span<byte> frame)
    {
        if (frame.Length < 14 + 40)
        {
            return;
        }

        int ipLength = frame.Length - 14;
        if (frame[12] == 0x08 && frame[13] == 0x00)
        {
            frame[16] = (byte)(ipLength >> 8);
            frame[17] = (byte)ipLength;
            if (frame[23] == 17)
            {
                frame[38] = (byte)((ipLength - 20) >> 8);
                frame[39] = (byte)(ipLength - 20);
            }
        }
        else if (frame[12] == 0x86 && frame[13] == 0xDD)
        {
            frame[18] = (byte)((ipLength - 40) >> 8);
            frame[19] = (byte)(ipLength - 40);
        }
    }
}
