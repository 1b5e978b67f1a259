namespace Detect.Sample.Detection.Firewall;

/// <summary>What a firewall rule's verdict covers (Suricata's action scope: <c>accept:hook</c>, <c>drop:flow</c>, ...).</summary>
internal enum FirewallActionScope
{
    /// <summary>This packet only.</summary>
    Packet,

    /// <summary>This packet and the rest of its flow.</summary>
    Flow,

    /// <summary>The rest of the current hook's rules: evaluation goes on with the next hook (accept only).</summary>
    Hook,

    /// <summary>The current application-layer transaction, every hook of it (accept only).</summary>
    Tx,
}
