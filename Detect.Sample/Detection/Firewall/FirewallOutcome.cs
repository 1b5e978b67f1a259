namespace Detect.Sample.Detection.Firewall;

/// <summary>What the firewall decided for a packet, for what comes after it.</summary>
internal enum FirewallOutcome
{
    /// <summary>Accepted through every hook: threat detection inspects the packet.</summary>
    Inspect,

    /// <summary>Accepted for good (<c>accept:packet</c>, <c>accept:flow</c>): threat detection does not see the packet.</summary>
    Accepted,

    /// <summary>Dropped or rejected by a rule or a default policy.</summary>
    Dropped,
}
