namespace Detect.Sample.Detection.Firewall;

/// <summary>What inline mode does with one packet: accept it, or drop it for a reason, by the firewall or by threat detection.</summary>
internal readonly record struct PacketVerdict
{
    /// <summary>Why the packet is dropped; <see cref="DropReason.None"/>: accepted.</summary>
    public DropReason Reason { get; init; }

    /// <summary>The firewall dropped it (counted under <c>firewall.*</c>, never seen by threat detection).</summary>
    public bool ByFirewall { get; init; }

    /// <summary>Dropped by a reject action (<c>ips.rejected</c> / <c>firewall.rejected</c>).</summary>
    public bool Rejected { get; init; }

    public bool Dropped => Reason != DropReason.None;

    public static PacketVerdict Accept => default;

    public static PacketVerdict Drop(DropReason reason, bool byFirewall, bool rejected = false) => new() { Reason = reason, ByFirewall = byFirewall, Rejected = rejected };
}
