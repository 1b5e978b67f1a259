namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// A firewall rule's explicit hook, from its protocol field: <c>tcp:all</c>, <c>udp:flow_start</c>,
/// <c>ip:pre_flow</c>, <c>http1:request_line</c>, <c>http1:&lt;request_headers</c> (the hook and
/// the states before it).
/// </summary>
internal readonly record struct FirewallHook
{
    /// <summary>The table the hook belongs to.</summary>
    public FirewallTable Table { get; init; }

    /// <summary>The protocol before the colon (<c>tcp</c>, <c>http1</c>, ...), as the rule's protocol field without the hook.</summary>
    public string Protocol { get; init; }

    /// <summary>The hook's name (<c>all</c>, <c>request_line</c>, ...).</summary>
    public string Name { get; init; }

    /// <summary><c>flow_start</c>: only the first packet of each direction of a flow.</summary>
    public bool FlowStart { get; init; }

    /// <summary>App hooks: the state's progress value (Suricata's numbering: 0 = started ... complete).</summary>
    public int Progress { get; init; }

    /// <summary>App hooks: a request-side (to server) state; else a response-side one.</summary>
    public bool ToServer { get; init; }

    /// <summary><c>proto:&lt;state</c>: the rule also accepts the states before its own.</summary>
    public bool AcceptsPriorStates { get; init; }

    /// <summary>The hook as written in a rule, e.g. <c>http1:request_line</c>.</summary>
    public override string ToString() => $"{Protocol}:{(AcceptsPriorStates ? "<" : string.Empty)}{Name}";
}
