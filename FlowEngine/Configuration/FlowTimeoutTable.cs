using FlowEngine.Decode;

namespace FlowEngine.Configuration;

/// <summary>Timeouts per protocol (<c>flow-timeouts:</c> default, tcp, udp, icmp).</summary>
public sealed class FlowTimeoutTable
{
    /// <summary>Protocols without their own entry.</summary>
    public FlowTimeouts Default { get; set; } = new(30, 300, 0, 100, 10, 100, 0, 50);

    /// <summary>TCP.</summary>
    public FlowTimeouts Tcp { get; set; } = new(30, 300, 10, 100, 10, 100, 5, 50);

    /// <summary>UDP.</summary>
    public FlowTimeouts Udp { get; set; } = new(30, 300, 0, 100, 10, 100, 0, 50);

    /// <summary>ICMP and ICMPv6.</summary>
    public FlowTimeouts Icmp { get; set; } = new(30, 300, 0, 100, 10, 100, 0, 50);

    /// <summary>Suricata's code defaults.</summary>
    /// <returns>A new table.</returns>
    public static FlowTimeoutTable CreateDefault() => new();

    /// <summary>The timeouts for an IP protocol number.</summary>
    /// <param name="protocol">6 TCP, 17 UDP, 1/58 ICMP, others default.</param>
    /// <returns>The timeouts.</returns>
    public FlowTimeouts For(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => Tcp,
        IpProtocol.Udp => Udp,
        IpProtocol.Icmp or IpProtocol.Icmpv6 => Icmp,
        _ => Default,
    };
}
