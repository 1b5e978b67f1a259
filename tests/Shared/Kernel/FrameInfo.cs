// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: reading back what a received frame carries.
using System.Buffers.Binary;

namespace Capture.Tests.Kernel;

/// <summary>The flow fields of a frame (tags skipped, IPv4 options honoured).</summary>
/// <param name="IsIPv6">Address family.</param>
/// <param name="Protocol">IP protocol.</param>
/// <param name="SourcePort">Source port (0 without TCP/UDP).</param>
/// <param name="DestinationPort">Destination port.</param>
/// <param name="VlanCount">Tags still in the frame data (the kernel may have stripped the outer one).</param>
public readonly record struct FrameInfo(bool IsIPv6, byte Protocol, ushort SourcePort, ushort DestinationPort, int VlanCount)
{
    /// <summary>Parses an Ethernet frame; false for anything that is not IPv4/IPv6.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="info">What it carries.</param>
    /// <returns>Whether it is an IP frame.</returns>
    public static bool TryParse(ReadOnlySpan<byte> frame, out FrameInfo info)
    {
        info = default;
        if (frame.Length < 14)
        {
            return false;
        }

        int offset = 12;
        int tags = 0;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        while (type is 0x8100 or 0x88a8 or 0x9100)
        {
            offset += 4;
            tags++;
            if (frame.Length < offset + 2)
            {
                return false;
            }

            type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }

        int ip = offset + 2;
        int l4;
        byte protocol;
        bool v6;
        if (type == 0x0800 && frame.Length >= ip + 20)
        {
            v6 = false;
            protocol = frame[ip + 9];
            l4 = ip + ((frame[ip] & 0x0f) * 4);
        }
        else if (type == 0x86dd && frame.Length >= ip + 40)
        {
            v6 = true;
            protocol = frame[ip + 6];
            l4 = ip + 40;
        }
        else
        {
            return false;
        }

        ushort sport = 0;
        ushort dport = 0;
        if (protocol is 6 or 17 && frame.Length >= l4 + 4)
        {
            sport = BinaryPrimitives.ReadUInt16BigEndian(frame[l4..]);
            dport = BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 2)..]);
        }

        info = new FrameInfo(v6, protocol, sport, dport, tags);
        return true;
    }
}
