using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace Detect.Sample.Output;

/// <summary>Writes each ended flow as an EVE flow event and counts flows for the summary.</summary>
internal sealed class EveFlowSink : IFlowEventSink
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

    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        _eve.WriteFlow(flowEnd);
        Interlocked.Increment(ref _flows);
        switch (flowEnd.Tuple.Protocol)
        {
            case IpProtocol.Tcp:
                Interlocked.Increment(ref _tcp);
                break;
            case IpProtocol.Udp:
                Interlocked.Increment(ref _udp);
                break;
            case IpProtocol.Icmp or IpProtocol.Icmpv6:
                Interlocked.Increment(ref _icmp);
                break;
        }

        if (flowEnd.Bypass == BypassKind.Local)
        {
            Interlocked.Increment(ref _localBypassed);
        }
        else if (flowEnd.Bypass == BypassKind.Capture)
        {
            Interlocked.Increment(ref _captureBypassed);
        }

        Interlocked.Add(ref _packets, flowEnd.PacketsToServer + flowEnd.PacketsToClient);
        Interlocked.Add(ref _bytes, flowEnd.BytesToServer + flowEnd.BytesToClient);
    }
}
