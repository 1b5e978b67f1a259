namespace Detect.Sample.Detection.Firewall;

/// <summary>Why a packet was dropped in inline mode: Suricata's drop reasons (EVE <c>drop.reason</c>, <c>ips.drop_reason.*</c>, <c>firewall.drop_reason.*</c>).</summary>
internal enum DropReason : byte
{
    None,
    DecodeError,
    DefragError,
    DefragMemcap,
    FlowMemcap,
    FlowDrop,
    ApplayerError,
    ApplayerMemcap,
    Rules,
    RulesThreshold,
    StreamError,
    StreamMemcap,
    StreamMidstream,
    StreamReassembly,
    StreamUrgent,
    NfqError,
    InnerPacket,
    DefaultPacketPolicy,
    DefaultAppPolicy,
    StreamPreHook,
    FlowPreHook,
}
