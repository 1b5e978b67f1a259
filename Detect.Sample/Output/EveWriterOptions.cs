namespace Detect.Sample.Output;

/// <summary>What the EVE writer writes, and how (<c>outputs.eve-log</c>).</summary>
internal sealed record EveWriterOptions
{
    public bool Flow { get; init; } = true;

    /// <summary><c>- flow: {exception-policy: true}</c>: flow records name the exception policy applied to them.</summary>
    public bool FlowExceptionPolicy { get; init; }

    public bool Alert { get; init; } = true;

    public bool Stats { get; init; } = true;

    /// <summary><c>- anomaly: {types: {decode: yes}}</c>: an anomaly record per decoder event (Suricata's default is off).</summary>
    public bool AnomalyDecode { get; init; }

    /// <summary><c>- anomaly: {types: {stream: yes}}</c>: an anomaly record per TCP stream event (Suricata's default is off).</summary>
    public bool AnomalyStream { get; init; }

    /// <summary><c>- anomaly: {types: {applayer: yes}}</c>: an anomaly record per application-layer event (Suricata's default is on once anomaly records are).</summary>
    public bool AnomalyApplayer { get; init; }

    /// <summary><c>- anomaly: {packethdr: yes}</c>: anomaly records carry the packet's first bytes (<c>packet</c>, <c>packet_info</c>).</summary>
    public bool AnomalyPacketHeader { get; init; }

    /// <summary><c>- drop</c>: a record per packet inline mode drops (only with <c>--simulate-ips</c> or inline capture).</summary>
    public bool Drop { get; init; }

    /// <summary><c>- drop: {alerts: yes}</c>: a drop record carries the rule that caused it.</summary>
    public bool DropAlerts { get; init; }

    /// <summary><c>- drop: {flows: all}</c>: every dropped packet of a dropped flow; <c>start</c> (default): the first each way.</summary>
    public bool DropFlowsAll { get; init; }

    /// <summary><c>- drop: {verdict: yes}</c>: a drop record carries the <c>verdict</c>.</summary>
    public bool DropVerdict { get; init; }

    /// <summary>Write this host's own counters (<see cref="HostCounters"/>) in stats records too (<c>- stats: {host-counters: yes}</c>); they break Suricata's schema.</summary>
    public bool HostCounters { get; init; }

    public bool CommunityId { get; init; }

    public ushort CommunityIdSeed { get; init; }

    public bool Ethernet { get; init; }

    /// <summary>Write <c>in_iface</c>: yes for live captures; Suricata writes none when it reads capture files (<c>-r</c>), and neither does a run that only reads files.</summary>
    public bool InIface { get; init; } = true;

    /// <summary>The sensor's name (<c>sensor-name</c>), written last in every event as <c>host</c>, as Suricata does; null: no host field.</summary>
    public string? Host { get; init; }

    /// <summary>The file's name in the log directory.</summary>
    public string FileName { get; init; } = "eve.json";

    /// <summary>Append to an existing file (<c>append</c>); else it is emptied at the first write.</summary>
    public bool Append { get; init; } = true;

    /// <summary>Permissions of a file the writer creates (<c>filemode</c>), before the umask.</summary>
    public UnixFileMode FileMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>The longest time an event waits in the buffer (<c>flush-interval</c>); zero: only when the buffer fills.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Stop the run when a write fails (<c>write-error: stop</c>) instead of counting lost events and going on.</summary>
    public bool StopOnWriteError { get; init; }
}
