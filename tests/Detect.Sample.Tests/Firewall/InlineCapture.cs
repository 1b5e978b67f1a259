using System.Buffers.Binary;
using System.Net;
using Samples.Generator;

namespace Detect.Sample.Tests.Firewall;

/// <summary>The captures the inline verdict tests run the host on: frames written one microsecond apart; an ARP request (no IP, so no flow) and an IGMP report (IP, but no flow).</summary>
internal static class InlineCapture
{
    /// <summary>The client's address on <see cref="Wire"/>.</summary>
    public static readonly IPAddress Client = IPAddress.Parse("10.0.0.1");

    /// <summary>The link the frames go over, client first.</summary>
    public static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    /// <summary>An IGMP membership report from <see cref="Client"/> to 224.0.0.22: an IP packet the flow engine keeps no flow for.</summary>
    public static byte[] Igmp() =>
        Wire.Frame(PacketBuilder.IPv4(Client, IPAddress.Parse("224.0.0.22"), 2, 8, [0x16, 0, 0, 0, 224, 0, 0, 22]), fromClient: true);

    public static void Write(string path, byte[][] frames)
    {
        using FileStream file = File.Create(path);
        using var writer = new PcapWriter(file);
        for (int i = 0; i < frames.Length; i++)
        {
            writer.Write(1_700_000_000_000_000L + i, frames[i]);
        }
    }

    /// <summary>The Ethernet source of <see cref="Arp"/>.</summary>
    public const string ArpSenderMac = "02:00:00:00:00:0a";

    /// <summary>A broadcast Ethernet frame from <see cref="ArpSenderMac"/> carrying an ARP request (its addresses left zero).</summary>
    public static byte[] Arp()
    {
        byte[] frame = new byte[14 + 28];
        frame.AsSpan(0, 6).Fill(0xff);
        frame[6] = 0x02;
        frame[11] = 0x0a;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800);
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 1); // request
        return frame;
    }
}
