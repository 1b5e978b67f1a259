namespace Detect.Sample.Detection.Firewall;

/// <summary>Suricata's names of the drop reasons: in EVE drop records and in the stats counters.</summary>
internal static class DropReasons
{
    /// <summary>The reasons counted under <c>ips.drop_reason</c> (threat detection and the engine), as Suricata registers them.</summary>
    public static readonly DropReason[] Ips =
    [
        DropReason.DecodeError, DropReason.DefragError, DropReason.DefragMemcap, DropReason.FlowMemcap, DropReason.FlowDrop,
        DropReason.ApplayerError, DropReason.ApplayerMemcap, DropReason.Rules, DropReason.RulesThreshold, DropReason.StreamError,
        DropReason.StreamMemcap, DropReason.StreamMidstream, DropReason.StreamReassembly, DropReason.StreamUrgent, DropReason.NfqError,
        DropReason.InnerPacket,
    ];

    /// <summary>The reasons counted under <c>firewall.drop_reason</c>.</summary>
    public static readonly DropReason[] Firewall =
    [
        DropReason.Rules, DropReason.FlowDrop, DropReason.DefaultPacketPolicy, DropReason.DefaultAppPolicy, DropReason.FlowPreHook, DropReason.StreamPreHook,
    ];

    /// <summary>EVE <c>drop.reason</c>.</summary>
    public static string Text(DropReason reason) => reason switch
    {
        DropReason.DecodeError => "decode error",
        DropReason.DefragError => "defrag error",
        DropReason.DefragMemcap => "defrag memcap",
        DropReason.FlowMemcap => "flow memcap",
        DropReason.FlowDrop => "flow drop",
        DropReason.ApplayerError => "applayer error",
        DropReason.ApplayerMemcap => "applayer memcap",
        DropReason.Rules => "rules",
        DropReason.RulesThreshold => "threshold detection_filter",
        DropReason.StreamError => "stream error",
        DropReason.StreamMemcap => "stream memcap",
        DropReason.StreamMidstream => "stream midstream",
        DropReason.StreamReassembly => "stream reassembly",
        DropReason.StreamUrgent => "stream urgent",
        DropReason.NfqError => "nfq error",
        DropReason.InnerPacket => "tunnel packet drop",
        DropReason.DefaultPacketPolicy => "default packet policy",
        DropReason.DefaultAppPolicy => "default app policy",
        DropReason.StreamPreHook => "pre stream hook",
        DropReason.FlowPreHook => "pre flow hook",
        _ => string.Empty,
    };

    /// <summary>The counter's last part (<c>ips.drop_reason.&lt;name&gt;</c>).</summary>
    public static string CounterName(DropReason reason) => reason switch
    {
        DropReason.RulesThreshold => "threshold_detection_filter",
        DropReason.InnerPacket => "tunnel_packet_drop",
        DropReason.StreamPreHook => "pre_stream_hook",
        DropReason.FlowPreHook => "pre_flow_hook",
        _ => Text(reason).Replace(' ', '_'),
    };
}
