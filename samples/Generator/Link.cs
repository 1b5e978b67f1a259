using System.Buffers.Binary;
using System.Net;

namespace Samples.Generator;

/// <summary>
/// How IP packets of one conversation reach the wire: Ethernet addresses, 802.1Q tags (0..2), and
/// optionally a GRE tunnel between two outer IPv4 hosts. Frames are built for either direction.
/// </summary>
internal sealed class Link
{
    private readonly byte[] _clientMac;
    private readonly byte[] _serverMac;
    private readonly ushort[] _vlans;
    private readonly IPAddress? _tunnelClient;
    private readonly IPAddress? _tunnelServer;
    private ushort _tunnelIpId = 1;

    public Link(byte[] clientMac, byte[] serverMac, ushort[]? vlans = null, IPAddress? tunnelClient = null, IPAddress? tunnelServer = null)
    {
        _clientMac = clientMac;
        _serverMac = serverMac;
        _vlans = vlans ?? [];
        _tunnelClient = tunnelClient;
        _tunnelServer = tunnelServer;
    }

    public byte[] Frame(byte[] ipPacket, bool fromClient)
    {
        byte[] payload = ipPacket;
        ushort etherType = (ipPacket[0] >> 4) == 6 ? (ushort)0x86DD : (ushort)0x0800;
        if (_tunnelClient is not null && _tunnelServer is not null)
        {
            // GRE (RFC 2784) without options: 2 bytes of flags/version, 2 bytes of protocol type.
            byte[] gre = new byte[4 + ipPacket.Length];
            BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(2), etherType);
            ipPacket.CopyTo(gre, 4);
            payload = PacketBuilder.IPv4(fromClient ? _tunnelClient : _tunnelServer, fromClient ? _tunnelServer : _tunnelClient, 47, _tunnelIpId++, gre);
            etherType = 0x0800;
        }

        byte[] frame = new byte[14 + (4 * _vlans.Length) + payload.Length];
        (fromClient ? _serverMac : _clientMac).CopyTo(frame, 0);
        (fromClient ? _clientMac : _serverMac).CopyTo(frame, 6);
        int offset = 12;
        for (int i = 0; i < _vlans.Length; i++)
        {
            // The outer tag of a QinQ pair is 802.1ad (0x88A8), as switches write it.
            ushort tpid = _vlans.Length > 1 && i == 0 ? (ushort)0x88A8 : (ushort)0x8100;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), _vlans[i]);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        payload.CopyTo(frame, offset + 2);
        return frame;
    }
}
