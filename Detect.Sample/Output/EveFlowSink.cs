using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace Detect.Sample.Output;

/// <summary>Writes each ended flow as an EVE flow event and counts flows for the summary.</summary>
internal sealed class EveFlowSink : IFlowEventBatchSink
{
    private readonly EveOutputs _eve;
    private long _flows;
    private long _tcp;
    private long _udp;
    private long _icmp;
    private long _localBypassed;
    private long _captureBypassed;
    private long _packets;
    private long _bytes;

    public EveFlowSink(EveOutputs eve) => _eve = eve;

    public long Flows => Interlocked.Read(ref _flows);

    public long TcpFlows => Interlocked.Read(ref _tcp);

    public long UdpFlows => Interlocked.Read(ref _udp);

    public long IcmpFlows => Interlocked.Read(ref _icmp);

    public long LocalBypassed => Interlocked.Read(ref _localBypassed);

    public long CaptureBypassed => Interlocked.Read(ref _captureBypassed);

    /// <summary>Packets of all ended flows (engine's plus the capture's).</summary>
    public long Packets => Interlocked.Read(ref _packets);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void OnFlowEnd(in FlowEndEvent flowEnd) => OnFlowEnds(new ReadOnlySpan<FlowEndEvent>(in flowEnd));

    /// <summary>Writes a run of flow events, then adds the run's counts to the summary's (one atomic add per count, not per flow).</summary>
    public void OnFlowEnds(ReadOnlySpan<FlowEndEvent> flowEnds)
    {
        _eve.WriteFlows(flowEnds);
        long tcp = 0, udp = 0, icmp = 0, localBypassed = 0, captureBypassed = 0, packets = 0, bytes = 0;
        foreach (ref readonly FlowEndEvent flowEnd in flowEnds)
        {
            switch (flowEnd.Tuple.Protocol)
            {
                case IpProtocol.Tcp:
                    tcp++;
                    break;
                case IpProtocol.Udp:
                    udp++;
                    break;
                case IpProtocol.Icmp or IpProtocol.Icmpv6:
                    icmp++;
                    break;
            }

            if (flowEnd.Bypass == BypassKind.Local)
            {
                localBypassed++;
            }
            else if (flowEnd.Bypass == BypassKind.Capture)
            {
                captureBypassed++;
            }

            packets += flowEnd.PacketsToServer + flowEnd.PacketsToClient;
            bytes += flowEnd.BytesToServer + flowEnd.BytesToClient;
        }

        Interlocked.Add(ref _flows, flowEnds.Length);
        Add(ref _tcp, tcp);
        Add(ref _udp, udp);
        Add(ref _icmp, icmp);
        Add(ref _localBypassed, localBypassed);
        Add(ref _captureBypassed, captureBypassed);
        Interlocked.Add(ref _packets, packets);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Most counts of a run are 0: those cost no atomic add.</summary>
    private static void Add(ref long total, long value)
    {
        if (value != 0)
        {
            Interlocked.Add(ref total, value);
        }
    }
}
