namespace Detect.Sample.Detection.Firewall;

/// <summary>What makes a rule a firewall rule: its primary action and scope, its hook, and its secondary actions.</summary>
internal sealed record FirewallRuleSpec
{
    public required FirewallVerdict Verdict { get; init; }

    public required FirewallActionScope Scope { get; init; }

    public required FirewallHook Hook { get; init; }

    /// <summary>Secondary <c>alert</c> (in the action list or as the <c>alert</c> keyword): a match writes an alert.</summary>
    public bool Alert { get; init; }

    /// <summary>Secondary <c>pass:flow</c>: once the firewall accepts, threat detection skips the flow.</summary>
    public bool PassFlow { get; init; }

    /// <summary>Secondary <c>pass:packet</c>: once the firewall accepts, threat detection skips the packet.</summary>
    public bool PassPacket { get; init; }
}
