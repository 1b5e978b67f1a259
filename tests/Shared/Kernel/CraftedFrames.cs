// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: building raw Ethernet frames byte by byte
// (802.1Q/802.1ad tags, IPv4 with options, IPv6, TCP, UDP, with correct checksums).
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Capture.Tests.Kernel;

/// <summary>Builds complete Ethernet frames from a <see cref="FrameSpec"/>.</summary>
public static class CraftedFrames
{
    /// <summary>Builds the frame.</summary>
    /// <param name="spec">What to build.</param>
    /// <param name="payloadByte">The payload fill byte (to tell frames apart).</param>
    /// <returns>The frame bytes.</returns>
    public static byte[] Build(FrameSpec spec, byte payloadByte = 0x5a)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool v6 = spec.Source.AddressFamily == AddressFamily.InterNetworkV6;
        if (spec.IPv4OptionBytes % 4 != 0 || spec.IPv4OptionBytes > 40 || (v6 && spec.IPv4OptionBytes != 0))
        {
            throw new ArgumentException("IPv4 options: a multiple of 4 bytes up to 40, IPv4 only", nameof(spec));
        }

        int l4Header = spec.Protocol switch { 6 => 20, 17 => 8, _ => 0 };
        int ipHeader = v6 ? 40 : 20 + spec.IPv4OptionBytes;
        int l2 = 14 + (4 * spec.Vlans.Count);
        int l4Length = l4Header + spec.PayloadLength;
        byte[] frame = new byte[l2 + ipHeader + l4Length];
        Span<byte> f = frame;

        spec.DestinationMac.CopyTo(f);
        spec.SourceMac.CopyTo(f[6..]);
        int offset = 12;
        foreach (VlanTag tag in spec.Vlans)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f[offset..], tag.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(f[(offset + 2)..], tag.Tci);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(f[offset..], v6 ? (ushort)0x86dd : (ushort)0x0800);
        Span<byte> ip = f[l2..];
        Span<byte> source = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        spec.Source.TryWriteBytes(source, out int addressLength);
        spec.Destination.TryWriteBytes(destination, out _);
        source = source[..addressLength];
        destination = destination[..addressLength];

        if (v6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)l4Length);
            ip[6] = spec.Protocol;
            ip[7] = 64;
            source.CopyTo(ip[8..]);
            destination.CopyTo(ip[24..]);
        }
        else
        {
            ip[0] = (byte)(0x40 | (ipHeader / 4));
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ipHeader + l4Length));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
            ip[8] = 64;
            ip[9] = spec.Protocol;
            source.CopyTo(ip[12..]);
            destination.CopyTo(ip[16..]);
            for (int i = 0; i < spec.IPv4OptionBytes; i++)
            {
                ip[20 + i] = i == spec.IPv4OptionBytes - 1 ? (byte)0 : (byte)1; // NOP ... EOL
            }

            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..ipHeader], 0));
        }

        Span<byte> l4 = ip[ipHeader..];
        l4[l4Header..].Fill(payloadByte);
        if (spec.Protocol is 6 or 17)
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4, spec.SourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(l4[2..], spec.DestinationPort);
            if (spec.Protocol == 17)
            {
                BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)l4Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(l4[4..], 1000);
                BinaryPrimitives.WriteUInt32BigEndian(l4[8..], 2000);
                l4[12] = 5 << 4;
                l4[13] = spec.TcpFlags;
                BinaryPrimitives.WriteUInt16BigEndian(l4[14..], 65535);
            }

            uint pseudo = Sum(source) + Sum(destination) + spec.Protocol + (uint)l4Length;
            ushort checksum = Checksum(l4[..l4Length], pseudo);
            if (spec.Protocol == 17 && checksum == 0)
            {
                checksum = 0xffff;
            }

            BinaryPrimitives.WriteUInt16BigEndian(l4[(spec.Protocol == 17 ? 6 : 16)..], checksum);
        }

        return frame;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        return sum;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        uint sum = initial + Sum(data);
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
