using System.Buffers.Binary;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>The drop record of an ICMP error keyed to the TCP flow it quotes, run as a process.</summary>
public sealed class IcmpErrorDropRecordTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-icmp-drop-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void An_icmp_error_of_a_dropped_flow_has_no_tcp_fields_read_from_its_icmp_header()
    {
        string pcap = Path.Combine(_work.FullName, "icmp-error.pcap");
        File.WriteAllBytes(pcap, Pcap(Syn(), UnreachableQuotingSyn()));
        string rules = Path.Combine(_work.FullName, "drop.rules");
        File.WriteAllText(rules, "drop tcp any any -> any 80 (msg:\"drop\"; sid:1;)\n");
        string yaml = Path.Combine(_work.FullName, "drop.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - drop\n");
        string logs = Path.Combine(_work.FullName, "logs");

        HostResult result = DetectHostProcess.Run("-c", yaml, "-r", pcap, "-S", rules, "-l", logs, "-k", "none", "--simulate-ips");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] drops = [.. new EveLog(Path.Combine(logs, "eve.json")).OfType("drop")];
        JsonElement syn = Assert.Single(drops, d => d.GetProperty("direction").GetString() == "to_server");
        Assert.Equal(0x01020304u, syn.GetProperty("drop").GetProperty("tcpseq").GetUInt32());
        JsonElement error = Assert.Single(drops, d => d.GetProperty("direction").GetString() == "to_client");
        Assert.Equal(64, error.GetProperty("drop").GetProperty("ttl").GetInt32());
        Assert.False(error.GetProperty("drop").TryGetProperty("tcpseq", out _), error.ToString());
        Assert.False(error.GetProperty("drop").TryGetProperty("syn", out _), error.ToString());
    }

    // 10.0.0.1:40000 -> 10.0.0.2:80, SYN, sequence 0x01020304.
    private static byte[] Syn()
    {
        byte[] frame = new byte[14 + 20 + 20];
        Ethernet(frame);
        Ipv4(frame.AsSpan(14), 6, 40, source: 1, destination: 2);
        Tcp(frame.AsSpan(34));
        return frame;
    }

    // 10.0.0.2 -> 10.0.0.1: destination unreachable (host), quoting the SYN's IP and TCP headers.
    private static byte[] UnreachableQuotingSyn()
    {
        byte[] frame = new byte[14 + 20 + 8 + 20 + 20];
        Ethernet(frame);
        Ipv4(frame.AsSpan(14), 1, 68, source: 2, destination: 1);
        frame[34] = 3;
        frame[35] = 1;
        Ipv4(frame.AsSpan(42), 6, 40, source: 1, destination: 2);
        Tcp(frame.AsSpan(62));
        return frame;
    }

    private static void Ethernet(Span<byte> frame)
    {
        frame[..12].Fill(0x02);
        frame[12] = 0x08;
    }

    private static void Ipv4(Span<byte> ip, byte protocol, int totalLength, byte source, byte destination)
    {
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)totalLength);
        ip[8] = 64;
        ip[9] = protocol;
        ip[12] = 10;
        ip[15] = source;
        ip[16] = 10;
        ip[19] = destination;
    }

    private static void Tcp(Span<byte> tcp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 80);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0x01020304);
        tcp[12] = 0x50;
        tcp[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 1024);
    }

    private static byte[] Pcap(params byte[][] frames)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream))
        {
            for (int i = 0; i < frames.Length; i++)
            {
                writer.Write((1_700_000_000L + i) * 1_000_000, frames[i]);
            }
        }

        return stream.ToArray();
    }
}
