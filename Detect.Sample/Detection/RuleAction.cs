namespace Detect.Sample.Detection;

/// <summary>What a matching rule does.</summary>
internal enum RuleAction
{
    /// <summary>Write an alert.</summary>
    Alert,

    /// <summary>Stop inspecting the flow, without alerts (Suricata's pass: the whole flow is passed).</summary>
    Pass,

    /// <summary>Alert; inline (<c>--simulate-ips</c>) also drop the packet and the rest of its flow.</summary>
    Drop,

    /// <summary>As <see cref="Drop"/> (<c>reject</c>, <c>rejectsrc</c>, ...); the host sends no reset or ICMP error.</summary>
    Reject,
}
