namespace FlowEngine.Flows;

/// <summary>The row of the timeout table a flow uses, by its protocol (Suricata's <c>flow-timeouts</c> sections).</summary>
internal enum FlowTimeoutClass : byte
{
    /// <summary>Any protocol without a section of its own (<c>flow-timeouts.default</c>).</summary>
    Default = 0,

    /// <summary><c>flow-timeouts.tcp</c>.</summary>
    Tcp = 1,

    /// <summary><c>flow-timeouts.udp</c>.</summary>
    Udp = 2,

    /// <summary><c>flow-timeouts.icmp</c>, for ICMP and ICMPv6.</summary>
    Icmp = 3,
}
