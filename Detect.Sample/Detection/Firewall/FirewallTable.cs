namespace Detect.Sample.Detection.Firewall;

/// <summary>Where in the pipeline a firewall rule is evaluated (Suricata's firewall tables).</summary>
internal enum FirewallTable
{
    /// <summary><c>packet:filter</c>: every decoded packet (hooks <c>all</c> and <c>flow_start</c>); default <c>drop:packet</c>.</summary>
    PacketFilter,

    /// <summary><c>packet:pre_flow</c>: before the flow is looked up; default <c>accept:hook</c>.</summary>
    PreFlow,

    /// <summary><c>packet:pre_stream</c>: before the TCP stream is updated; default <c>accept:hook</c>.</summary>
    PreStream,

    /// <summary><c>app:filter</c>: one application-layer state of a protocol (<c>http1:request_line</c>, ...); default <c>drop:flow</c>.</summary>
    App,
}
