namespace Detect.Sample.Detection;

/// <summary>Names and resolution of <see cref="ExceptionPolicy"/>, as Suricata reads and writes them.</summary>
internal static class ExceptionPolicies
{
    /// <summary>
    /// The midstream policy of a run: <c>stream.midstream-policy</c>, else the master switch
    /// <c>exception-policy</c>, else <c>auto</c>; <c>auto</c> is drop-flow in IPS mode when midstream
    /// pick-up is off (<c>stream.midstream</c>) and ignore otherwise, and outside IPS mode the dropping
    /// policies fall back to ignore, as Suricata's do.
    /// </summary>
    /// <returns>The policy, or null when a value is not one Suricata knows.</returns>
    public static ExceptionPolicy? ResolveMidstream(string? midstreamPolicy, string? masterSwitch, bool ips, bool midstream)
    {
        ExceptionPolicy? policy = (midstreamPolicy ?? masterSwitch ?? "auto").Trim() switch
        {
            "auto" => ips && !midstream ? ExceptionPolicy.DropFlow : ExceptionPolicy.Ignore,
            "ignore" => ExceptionPolicy.Ignore,
            "bypass" => ExceptionPolicy.Bypass,
            "pass-flow" => ExceptionPolicy.PassFlow,
            "drop-flow" => ExceptionPolicy.DropFlow,
            "drop-packet" => ExceptionPolicy.DropPacket,
            "reject" => ExceptionPolicy.Reject,
            _ => null,
        };
        return !ips && policy is ExceptionPolicy.DropFlow or ExceptionPolicy.DropPacket or ExceptionPolicy.Reject ? ExceptionPolicy.Ignore : policy;
    }

    /// <summary>The name in EVE (<c>flow.exception_policy[].policy</c>) and stats (<c>exception_policy.tcp.midstream.*</c>).</summary>
    public static string Name(ExceptionPolicy policy) => policy switch
    {
        ExceptionPolicy.Bypass => "bypass",
        ExceptionPolicy.PassFlow => "pass_flow",
        ExceptionPolicy.DropFlow => "drop_flow",
        ExceptionPolicy.DropPacket => "drop_packet",
        ExceptionPolicy.Reject => "reject",
        _ => "ignore",
    };

    /// <summary>The same name in UTF-8, for the EVE flow line.</summary>
    public static ReadOnlySpan<byte> Utf8Name(ExceptionPolicy policy) => policy switch
    {
        ExceptionPolicy.Bypass => "bypass"u8,
        ExceptionPolicy.PassFlow => "pass_flow"u8,
        ExceptionPolicy.DropFlow => "drop_flow"u8,
        ExceptionPolicy.DropPacket => "drop_packet"u8,
        ExceptionPolicy.Reject => "reject"u8,
        _ => "ignore"u8,
    };
}
