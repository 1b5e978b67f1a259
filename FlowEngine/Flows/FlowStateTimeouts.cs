using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    // The timeouts a packet's lookup applies (see TimedOutAtLookup): as above, but never for a flow the
    // capture bypassed, whose last-seen time only the capture's answers move on.
    private readonly long[] _lookupNormal = new long[Classes * States];
    private readonly long[] _lookupEmergency = new long[Classes * States];

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

        for (int i = 0; i < Classes * States; i++)
        {
            bool captureBypassed = i % States == (int)FlowState.CaptureBypassed;
            _lookupNormal[i] = captureBypassed ? long.MaxValue : _normal[i];
            _lookupEmergency[i] = captureBypassed ? long.MaxValue : _emergency[i];
        }

        ShortestReachable = FindShortestReachable();
    }

    /// <summary>
    /// Whether a flow found by a packet's lookup timed out before the packet came (Suricata 8's
    /// FlowIsTimedOut at lookup, to the packet's full timestamp as its flow manager compares): the
    /// packet then starts a new flow. One compare per packet. A flow the capture bypassed never
    /// times out here: the kernel drops its packets, so its last-seen time is old whether or not it
    /// is silent; the manager asks the capture.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TimedOutAtLookup(ref FlowSlot s, long now, bool emergency)
    {
        int index = ((int)s.TimeoutClass * States) + (int)s.State;
        Debug.Assert((uint)index < Classes * States, "a timeout class and a flow state the table has");
        long timeout = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(emergency ? _lookupEmergency : _lookupNormal), index);
        return now - s.LastSeenNanoseconds >= timeout;
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
