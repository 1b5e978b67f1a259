namespace Detect.Sample.Detection;

/// <summary>
/// What Suricata's exception policies do to a flow the engine cannot handle normally; here the one
/// target is <c>stream.midstream-policy</c>: a TCP flow picked up without its SYN. Values are the flow
/// record's codes (0: none applied).
/// </summary>
internal enum ExceptionPolicy : byte
{
    /// <summary>No policy applied to the flow.</summary>
    None,

    /// <summary><c>ignore</c>: the flow goes on as any other.</summary>
    Ignore,

    /// <summary><c>bypass</c>: the flow is bypassed.</summary>
    Bypass,

    /// <summary><c>pass-flow</c>: the flow is no longer inspected.</summary>
    PassFlow,

    /// <summary><c>drop-flow</c> (IPS): the flow's packets are dropped.</summary>
    DropFlow,

    /// <summary><c>drop-packet</c> (IPS): the packet is dropped.</summary>
    DropPacket,

    /// <summary><c>reject</c> (IPS): the flow is dropped (no reset is sent here).</summary>
    Reject,
}
