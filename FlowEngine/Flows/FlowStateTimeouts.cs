using System.Diagnostics;
using FlowEngine.Configuration;
using FlowEngine.Decode;

namespace FlowEngine.Flows;

/// <summary>
/// How long a flow may stay idle, by its timeout class, its state and whether the shard is in
/// emergency mode: the configured <see cref="FlowTimeoutTable"/> resolved once into nanoseconds.
/// Both bypassed states use the <c>bypassed</c> value. An emergency value larger than the normal one
/// becomes normal/10, as in Suricata.
/// </summary>
internal sealed class FlowStateTimeouts
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const int Classes = 4;
    private const int States = 5;

    private static readonly FlowState[] AllStates =
        [FlowState.New, FlowState.Established, FlowState.Closed, FlowState.LocalBypassed, FlowState.CaptureBypassed];

    private readonly long[] _normal = new long[Classes * States];
    private readonly long[] _emergency = new long[Classes * States];

    public FlowStateTimeouts(FlowTimeoutTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        FlowTimeouts[] rows = [table.Default, table.Tcp, table.Udp, table.Icmp];
        for (int c = 0; c < Classes; c++)
        {
            FlowTimeouts t = rows[c];
            int[] normal = [t.New, t.Established, t.Closed, t.Bypassed, t.Bypassed];
            int[] emergency = [t.EmergencyNew, t.EmergencyEstablished, t.EmergencyClosed, t.EmergencyBypassed, t.EmergencyBypassed];
            for (int state = 0; state < States; state++)
            {
                int e = emergency[state] > normal[state] ? normal[state] / 10 : emergency[state];
                _normal[(c * States) + state] = Math.Max(0, normal[state]) * NanosecondsPerSecond;
                _emergency[(c * States) + state] = Math.Max(0, e) * NanosecondsPerSecond;
            }
        }

        ShortestReachable = FindShortestReachable();
    }

    /// <summary>
    /// The shortest timeout a flow can be given outside emergency mode (in which the manager skips
    /// no pass): Closed counts only for TCP, the one protocol whose flows close.
    /// </summary>
    public long ShortestReachable { get; }

    /// <summary>The timeout class of a flow keyed by <paramref name="protocol"/>.</summary>
    public static FlowTimeoutClass ClassOf(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => FlowTimeoutClass.Tcp,
        IpProtocol.Udp => FlowTimeoutClass.Udp,
        IpProtocol.Icmp or IpProtocol.Icmpv6 => FlowTimeoutClass.Icmp,
        _ => FlowTimeoutClass.Default,
    };

    /// <summary>The idle time after which a flow of <paramref name="timeoutClass"/> in <paramref name="state"/> ends, in nanoseconds.</summary>
    public long For(FlowTimeoutClass timeoutClass, FlowState state, bool emergency)
    {
        Debug.Assert((int)timeoutClass < Classes && (int)state < States, "a timeout class and a flow state the table has");
        int index = ((int)timeoutClass * States) + (int)state;
        return emergency ? _emergency[index] : _normal[index];
    }

    private long FindShortestReachable()
    {
        long shortest = long.MaxValue;
        for (int c = 0; c < Classes; c++)
        {
            foreach (FlowState state in AllStates)
            {
                if (state != FlowState.Closed || (FlowTimeoutClass)c == FlowTimeoutClass.Tcp)
                {
                    shortest = Math.Min(shortest, For((FlowTimeoutClass)c, state, emergency: false));
                }
            }
        }

        return shortest;
    }
}
