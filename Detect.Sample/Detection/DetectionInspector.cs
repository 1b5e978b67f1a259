using Capture.Abstractions;
using Detect.Sample.Hosting;
using Detect.Sample.Output;
using FlowEngine.Flows;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Detection;

/// <summary>
/// The engine's detection callback, one per worker: runs <see cref="PacketDetector"/> on each
/// packet of a flow that is not bypassed or passed, writes alerts and asks for bypass.
/// </summary>
internal sealed class DetectionInspector : IPacketInspector
{
    private readonly PacketDetector _detector;
    private readonly FlowStorageSlot<DetectionFlowState> _slot;
    private readonly EveOutputs _eve;
    private readonly DetectionCounters _counters;
    private readonly ILogger _logger;
    private readonly Rule?[] _matches = new Rule?[32];

    public DetectionInspector(PacketDetector detector, FlowStorageSlot<DetectionFlowState> slot, EveOutputs eve, DetectionCounters counters, ILogger logger)
    {
        _detector = detector;
        _slot = slot;
        _eve = eve;
        _counters = counters;
        _logger = logger;
    }

    public void Inspect(ref PacketContext context)
    {
        DetectionFlowState? state = context.GetStorage(_slot);
        if (state is null)
        {
            // One object per flow, on its first packet: the flow's detection state.
            state = new DetectionFlowState();
            context.SetStorage(_slot, state);
        }
        else if (state.Passed || state.BypassRequested)
        {
            return;
        }

        FlowView flow = context.Flow;
        FlowTuple flowTuple = flow.Tuple;
        bool toServer = context.ToServer;
        FlowTuple packet = toServer ? flowTuple : flowTuple.Reverse();
        int count = _detector.Inspect(packet, toServer, context.Payload, state, _matches, out BypassReason reason);
        for (int i = 0; i < count; i++)
        {
            Rule rule = _matches[i]!;
            _matches[i] = null;
            _eve.WriteAlert(new AlertEvent
            {
                TimestampNanoseconds = context.TimestampNanoseconds,
                FlowId = flow.Id,
                InterfaceName = context.InterfaceName,
                Packet = packet,
                Flow = flowTuple,
                VlanCount = flowTuple.Vlan2 != 0 ? 3 : flowTuple.Vlan1 != 0 ? 2 : flowTuple.Vlan0 != 0 ? 1 : 0,
                ToServer = toServer,
                Rule = rule,
                PacketsToServer = flow.PacketsToServer,
                PacketsToClient = flow.PacketsToClient,
                BytesToServer = flow.BytesToServer,
                BytesToClient = flow.BytesToClient,
                FlowStartNanoseconds = flow.StartNanoseconds,
                TunnelParentFlowId = flow.TunnelParentFlowId,
            });
            _counters.CountAlert();
        }

        if (count > 0)
        {
            flow.MarkAlerted();
        }

        if (reason != BypassReason.None)
        {
            _counters.CountBypass(reason);
            DetectLog.BypassRequested(_logger, flow.Id, reason.ToString());
            context.RequestBypass();
        }
    }
}
