using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>Rules run through the detector on the packets of one flow, as the host's inspector runs them.</summary>
internal static class FlowRuns
{
    /// <summary>The sids of the rules that match the packets of one flow, packet by packet.</summary>
    /// <param name="rules">The rules, one per line of a rules file.</param>
    /// <param name="toServer">The flow's tuple client → server.</param>
    /// <param name="packets">Each packet's direction and payload.</param>
    public static List<long>[] Sids(string[] rules, FlowTuple toServer, params (bool ToServer, byte[] Payload)[] packets)
    {
        var empty = new Dictionary<string, string>();
        var set = new RuleSet([.. rules.Select((l, i) => RuleParser.Parse(l, empty, empty, "t.rules", i + 1))], [], []);
        var detector = new PacketDetector(set, new DetectionOptions());
        var state = new DetectionFlowState();
        var matches = new Rule?[16];
        FlowTuple toClient = toServer.Reverse();
        var results = new List<long>[packets.Length];
        for (int p = 0; p < packets.Length; p++)
        {
            RulePacket facts = RulePacket.Direction(packets[p].ToServer);
            int count = detector.Inspect(packets[p].ToServer ? toServer : toClient, facts, packets[p].Payload, state, matches, out _);
            results[p] = [.. matches[..count].Select(r => r!.Sid)];
        }

        return results;
    }
}
