using System.Buffers.Binary;
using System.Globalization;
using System.Runtime;
using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Output;
using FlowEngine.Configuration;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Hosting;

/// <summary>
/// Runs frames of private flows (203.0.113.0/24 and 2001:db8::/32, documentation addresses) through the packet
/// path a live capture's worker runs — decode, flow table, detection with a bypass rule, the
/// bypass request, flow end and its EVE event — before the capture starts, on a throwaway worker,
/// detector, counters and EVE file (in a temporary directory, removed after). The first packets
/// of the capture then run code that is already compiled and its call sites resolved, instead of
/// paying that while a bypassed flow's packets keep reaching user space. The rounds are run in
/// passes, 150 ms apart, until two passes in a row compile nothing (typically five, ~0.75 s): the
/// runtime's tier-1 compiles of the path are then done. The runtime counts calls only
/// after 100 ms without new methods (its call-counting delay) and compiles in the background, so
/// one pass alone left those compiles (~70 ms of CPU, ~160 methods) to the capture's first packets.
/// Nothing of it reaches the run's EVE, counters or logs: none of the run's objects is handed to it.
/// </summary>
internal static class PacketPathWarmUp
{
    /// <summary>Runs of the batch per pass; past the runtime's 30 calls that promote a method to tier 1.</summary>
    public const int Rounds = 40;

    /// <summary>Passes at most.</summary>
    public const int MaxPasses = 10;

    /// <summary>
    /// Passes in a row that compiled nothing, to end: one is not enough, as the runtime starts
    /// counting calls only once 100 ms pass without a new method anywhere in the process, and a
    /// pass run before that compiles nothing either.
    /// </summary>
    private const int QuietPasses = 2;

    private const int WarmPort = 9;
    private const string Rule = "alert udp any any -> any 9 (msg:\"packet path warm-up\"; content:\"warm\"; bypass; sid:1;)";
    private static readonly byte[] Payload = "warm-up"u8.ToArray();

    /// <summary>The start of the name of the warm-up's temporary directory in this process.</summary>
    public static string DirectoryPrefix { get; } = string.Create(CultureInfo.InvariantCulture, $"detect-warm-up-{Environment.ProcessId}-");

    /// <summary>Runs the warm-up.</summary>
    /// <param name="flow">The run's flow options (the throwaway worker's table is sized for a few flows).</param>
    /// <param name="detection">The run's detection options.</param>
    /// <param name="eve">The run's EVE settings, so the same event writer paths run (into a file of the warm-up's own).</param>
    /// <param name="passes">Passes run: the last one compiled nothing new.</param>
    /// <param name="settle">The wait after each pass (default <see cref="StartupCompiles.Quiet"/>: past the runtime's call-counting delay, and time for its compiles).</param>
    /// <returns>Bypass requests the warm-up's detection made (one per round when the path ran whole).</returns>
    public static long Run(FlowEngineOptions flow, DetectionOptions detection, EveWriterOptions eve, out int passes, TimeSpan? settle = null)
    {
        var options = new FlowEngineOptions
        {
            HashSize = 64,
            Prealloc = 8,
            Memcap = flow.Memcap,
            Timeouts = flow.Timeouts,
            Defrag = flow.Defrag,
            VlanTracking = flow.VlanTracking,
            RecursionTracking = flow.RecursionTracking,
            Decoder = flow.Decoder,
        };
        RuleSet rules = new([RuleParser.Parse(Rule, new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), "warm-up", 1)], [], []);
        var detector = new PacketDetector(rules, detection);
        var counters = new DetectionCounters();
        // Named by the process: which run a directory is from, were one ever left behind.
        DirectoryInfo directory = Directory.CreateTempSubdirectory(DirectoryPrefix);
        try
        {
            using (LogDirectory logs = LogDirectory.Open(directory.FullName))
            using (var outputs = new EveOutputs([new EveWriter(logs, eve with { Append = false, StopOnWriteError = false })], []))
            {
                var storage = new FlowStorageRegistry();
                FlowStorageSlot<DetectionFlowState> slot = storage.Register<DetectionFlowState>(DetectRun.StorageName);
                const string InterfaceName = "warm-up";
                var inspector = new DetectionInspector(InterfaceName, detector, slot, outputs, counters, NullLogger.Instance, simulateIps: false);
                var worker = new BatchWorker(InterfaceName, options, new EveFlowSink(outputs), storage, maxFlows: 16, inspector: inspector);
                (byte[] buffer, PacketRecord[] packets) = Frames();
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
                int round = 0;
                int quietPasses = 0;
                passes = 0;
                long compiled = JitInfo.GetCompiledMethodCount();
                while (passes < MaxPasses)
                {
                    for (int end = round + Rounds; round < end; round++)
                    {
                        for (int i = 0; i < packets.Length; i++)
                        {
                            packets[i].TimestampNanoseconds = now + (((round * packets.Length) + i) * 1_000L);
                        }

                        worker.Process(buffer, packets);
                        worker.EndAll();
                    }

                    passes++;
                    Thread.Sleep(settle ?? StartupCompiles.Quiet);
                    long after = JitInfo.GetCompiledMethodCount();
                    quietPasses = after == compiled ? quietPasses + 1 : 0;
                    compiled = after;
                    if (quietPasses == QuietPasses)
                    {
                        break;
                    }
                }

                outputs.Flush();
            }

            return counters.RuleBypasses;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A UDP/IPv4 packet to the bypass rule's port and its reply (dropped as bypassed), a TCP/IPv4
    /// SYN and a UDP/IPv6 packet: the families and protocols a capture's first packets take.
    /// </summary>
    private static (byte[] Buffer, PacketRecord[] Packets) Frames()
    {
        byte[] buffer = new byte[512];
        var packets = new List<PacketRecord>();
        int offset = 0;
        byte[] client = [203, 0, 113, 1];
        byte[] server = [203, 0, 113, 2];
        Add(Udp4(buffer.AsSpan(offset), client, server, 40000, WarmPort));
        Add(Udp4(buffer.AsSpan(offset), server, client, WarmPort, 40000));
        Add(Tcp4(buffer.AsSpan(offset), client, server, 40001, 80));
        Add(Udp6(buffer.AsSpan(offset), 40002, 53));
        return (buffer, [.. packets]);

        void Add(int length)
        {
            packets.Add(new PacketRecord { Offset = offset, CaptureLength = length, OriginalLength = length, LinkType = LinkType.Ethernet });
            offset += length;
        }
    }

    private static int Udp4(Span<byte> frame, byte[] source, byte[] destination, ushort sourcePort, ushort destinationPort)
    {
        int ip = Ethernet(frame, 0x0800);
        int udp = Ipv4(frame[ip..], source, destination, 17, 8 + Payload.Length);
        Ports(frame[(ip + udp)..], sourcePort, destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(ip + udp + 4)..], (ushort)(8 + Payload.Length));
        Payload.CopyTo(frame[(ip + udp + 8)..]);
        return ip + udp + 8 + Payload.Length;
    }

    private static int Tcp4(Span<byte> frame, byte[] source, byte[] destination, ushort sourcePort, ushort destinationPort)
    {
        int ip = Ethernet(frame, 0x0800);
        int tcp = Ipv4(frame[ip..], source, destination, 6, 20);
        Span<byte> header = frame.Slice(ip + tcp, 20);
        Ports(header, sourcePort, destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], 1);
        header[12] = 5 << 4;
        header[13] = 0x02; // SYN
        BinaryPrimitives.WriteUInt16BigEndian(header[14..], 65535);
        return ip + tcp + 20;
    }

    private static int Udp6(Span<byte> frame, ushort sourcePort, ushort destinationPort)
    {
        int ip = Ethernet(frame, 0x86DD);
        Span<byte> header = frame.Slice(ip, 40);
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(8 + Payload.Length));
        header[6] = 17;
        header[7] = 64;
        ReadOnlySpan<byte> documentation = [0x20, 0x01, 0x0d, 0xb8];
        documentation.CopyTo(header[8..]);
        header[23] = 1;
        documentation.CopyTo(header[24..]);
        header[39] = 2;
        Span<byte> udp = frame[(ip + 40)..];
        Ports(udp, sourcePort, destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + Payload.Length));
        Payload.CopyTo(udp[8..]);
        return ip + 40 + 8 + Payload.Length;
    }

    private static int Ethernet(Span<byte> frame, ushort etherType)
    {
        ReadOnlySpan<byte> macs = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
        macs.CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
        return 14;
    }

    private static int Ipv4(Span<byte> header, byte[] source, byte[] destination, byte protocol, int payloadLength)
    {
        header[..20].Clear();
        header[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(20 + payloadLength));
        header[8] = 64;
        header[9] = protocol;
        source.CopyTo(header[12..]);
        destination.CopyTo(header[16..]);
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        sum = (sum & 0xFFFF) + (sum >> 16);
        sum += sum >> 16;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)~sum);
        return 20;
    }

    private static void Ports(Span<byte> header, ushort source, ushort destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header, source);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], destination);
    }
}
