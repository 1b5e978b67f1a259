using System.Buffers.Binary;
using System.Text.Json;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Output;

/// <summary>The <c>drop</c> records (Suricata's drop logger, inline mode only).</summary>
internal sealed partial class EveWriter
{
    /// <summary>Whether drop records are written: callers skip building them otherwise.</summary>
    public bool WritesDrops => _settings.Drop;

    /// <summary>
    /// Writes a <c>drop</c> record as Suricata does: the first dropped packet each way of a dropped
    /// flow (<c>flows: start</c>, the default) or every dropped packet (<c>flows: all</c>), and any
    /// packet a drop rule alerted on, and every dropped packet without a flow (one without IP has no
    /// addresses and no header fields, only <c>ether</c>); the header fields under <c>drop</c>, then <c>verdict</c>
    /// (<c>verdict: yes</c>) and the alerting rule (<c>alerts: yes</c>).
    /// </summary>
    public void WriteDrop(in DropEvent drop)
    {
        if (!_settings.Drop || !(_settings.DropFlowsAll || drop.FirstThisWay || drop.FlowId == 0 || drop.Rule is not null))
        {
            return;
        }

        string? communityId = drop.Packet is { } tuple ? CommunityIdOf(drop.FlowId, drop.ToServer ? tuple : tuple.Reverse()) : null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Utf8JsonWriter w = _json;
            WriteEventStart(w, drop.TimestampNanoseconds, drop.FlowId, drop.TunnelParentFlowId, drop.InterfaceName, drop.PcapCount, "drop");
            drop.Header.WriteVlan(w);
            WritePacketHeader(w, drop.Packet, drop.Header, drop.Source, communityId);
            if (drop.FlowId != 0)
            {
                w.WriteString("direction", drop.ToServer ? "to_server" : "to_client");
            }

            w.WriteStartObject("drop");
            WriteDropHeaders(w, drop);
            if (drop.Reason != DropReason.None)
            {
                w.WriteString("reason", DropReasons.Text(drop.Reason));
            }

            w.WriteEndObject();
            if (_settings.DropVerdict)
            {
                w.WriteStartObject("verdict");
                w.WriteString("action", drop.Rejected ? "reject" : "drop");
                w.WriteEndObject();
            }

            if (_settings.DropAlerts && drop.Rule is { } rule)
            {
                WriteAlertObject(w, rule, blocked: true);
            }

            WriteHost(w);
            w.WriteEndObject();
            EndEvent();
        }
    }

    /// <summary>Suricata's drop fields: IPv4 len/tos/ttl/ipid or IPv6 len/tc/hoplimit/flowlbl, then TCP, UDP or ICMP echo fields.</summary>
    private static void WriteDropHeaders(Utf8JsonWriter w, in DropEvent drop)
    {
        ReadOnlySpan<byte> b = drop.Bytes;
        int ip = drop.NetworkOffset;
        if (drop.Packet is not { } packet || ip < 0 || ip + (packet.IsIPv6 ? 40 : 20) > b.Length)
        {
            return;
        }

        if (packet.IsIPv6)
        {
            uint first = BinaryPrimitives.ReadUInt32BigEndian(b[ip..]);
            w.WriteNumber("len", BinaryPrimitives.ReadUInt16BigEndian(b[(ip + 4)..]));
            w.WriteNumber("tc", (first >> 20) & 0xFF);
            w.WriteNumber("hoplimit", b[ip + 7]);
            w.WriteNumber("flowlbl", first & 0xFFFFF);
        }
        else
        {
            w.WriteNumber("len", BinaryPrimitives.ReadUInt16BigEndian(b[(ip + 2)..]));
            w.WriteNumber("tos", b[ip + 1]);
            w.WriteNumber("ttl", b[ip + 8]);
            w.WriteNumber("ipid", BinaryPrimitives.ReadUInt16BigEndian(b[(ip + 4)..]));
        }

        int t = drop.TransportOffset;
        switch (packet.Protocol)
        {
            case 6 when t >= 0 && t + 20 <= b.Length:
                byte flags = b[t + 13];
                w.WriteNumber("tcpseq", BinaryPrimitives.ReadUInt32BigEndian(b[(t + 4)..]));
                w.WriteNumber("tcpack", BinaryPrimitives.ReadUInt32BigEndian(b[(t + 8)..]));
                w.WriteNumber("tcpwin", BinaryPrimitives.ReadUInt16BigEndian(b[(t + 14)..]));
                w.WriteBoolean("syn", (flags & 0x02) != 0);
                w.WriteBoolean("ack", (flags & 0x10) != 0);
                w.WriteBoolean("psh", (flags & 0x08) != 0);
                w.WriteBoolean("rst", (flags & 0x04) != 0);
                w.WriteBoolean("urg", (flags & 0x20) != 0);
                w.WriteBoolean("fin", (flags & 0x01) != 0);
                w.WriteNumber("tcpres", b[t + 12] & 0x0F);
                w.WriteNumber("tcpurgp", BinaryPrimitives.ReadUInt16BigEndian(b[(t + 18)..]));
                break;
            case 17 when t >= 0 && t + 8 <= b.Length:
                w.WriteNumber("udplen", BinaryPrimitives.ReadUInt16BigEndian(b[(t + 4)..]));
                break;
            case 1 or 58 when t >= 0 && t + 8 <= b.Length && b[t] is 0 or 8 or 128 or 129:
                w.WriteNumber("icmp_id", BinaryPrimitives.ReadUInt16BigEndian(b[(t + 4)..]));
                w.WriteNumber("icmp_seq", BinaryPrimitives.ReadUInt16BigEndian(b[(t + 6)..]));
                break;
        }
    }
}
