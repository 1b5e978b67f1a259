using System.Text.Json;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// Compares EVE flow records with tshark's TCP and UDP conversations of the same capture.
/// Deliberate differences (docs/HOST.md): ICMP errors are counted in the flow they quote
/// (tshark counts them as ICMP only); a flow inside a tunnel (a parent flow, or frames with more than
/// one IP header) counts inner IP bytes (tshark counts whole frames), so only its packets are compared; VLAN-tagged flows are separate per VLAN
/// (tshark merges by address), so flows are summed per address pair.
/// </summary>
internal static class FlowAgreement
{
    public static int AssertAgrees(string capture, EveLog eve)
    {
        IReadOnlyList<TsharkConversation> conversations = Tshark.Conversations(capture);
        Dictionary<string, int> icmpErrors = Tshark.IcmpErrorsByQuotedFlow(capture);
        HashSet<string> tunnelledFlows = Tshark.TunnelledFlows(capture);
        Dictionary<string, List<JsonElement>> flows = eve.Flows
            .Where(f => f.GetProperty("proto").GetString() is "TCP" or "UDP")
            .GroupBy(f => $"{f.GetProperty("proto").GetString()} {Tshark.Key(EveLog.Endpoint(f, "src"), EveLog.Endpoint(f, "dest"))}")
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Assert.NotEmpty(conversations);
        var unmatched = new HashSet<string>(flows.Keys, StringComparer.Ordinal);
        foreach (TsharkConversation conversation in conversations)
        {
            string pair = Tshark.Key(conversation.A, conversation.B);
            string key = $"{conversation.Protocol} {pair}";
            Assert.True(flows.TryGetValue(key, out List<JsonElement>? ours), $"no EVE flow for tshark's {conversation.Protocol} conversation {conversation.A} <-> {conversation.B}");
            unmatched.Remove(key);
            int errors = icmpErrors.GetValueOrDefault(pair);
            long aToB = 0, bToA = 0, bytesAToB = 0, bytesBToA = 0;
            bool tunnelled = tunnelledFlows.Contains(pair);
            foreach (JsonElement flow in ours)
            {
                JsonElement counters = flow.GetProperty("flow");
                bool fromA = EveLog.Endpoint(flow, "src") == conversation.A;
                long toServer = counters.GetProperty("pkts_toserver").GetInt64();
                long toClient = counters.GetProperty("pkts_toclient").GetInt64();
                aToB += fromA ? toServer : toClient;
                bToA += fromA ? toClient : toServer;
                bytesAToB += counters.GetProperty(fromA ? "bytes_toserver" : "bytes_toclient").GetInt64();
                bytesBToA += counters.GetProperty(fromA ? "bytes_toclient" : "bytes_toserver").GetInt64();
                tunnelled |= flow.TryGetProperty("parent_id", out _);
            }

            string what = $"{key}: ours {aToB}/{bToA} packets, {bytesAToB}/{bytesBToA} bytes; tshark {conversation.FramesAToB}/{conversation.FramesBToA} frames, {conversation.BytesAToB}/{conversation.BytesBToA} bytes, {errors} ICMP errors";
            Assert.True(aToB + bToA == conversation.Frames + errors, what);
            if (errors == 0)
            {
                Assert.True(aToB == conversation.FramesAToB && bToA == conversation.FramesBToA, what);
                if (!tunnelled)
                {
                    AssertBytes(bytesAToB, conversation.BytesAToB, conversation.BytesExact, what);
                    AssertBytes(bytesBToA, conversation.BytesBToA, conversation.BytesExact, what);
                }
            }
        }

        Assert.True(unmatched.Count == 0, $"EVE flows tshark does not list: {string.Join(", ", unmatched)}");
        return conversations.Count;
    }

    private static void AssertBytes(long ours, double tshark, bool exact, string what)
    {
        if (exact)
        {
            Assert.True(ours == (long)tshark, what);
        }
        else
        {
            // tshark rounds to kB/MB in this table.
            Assert.True(Math.Abs(ours - tshark) <= (tshark * 0.01) + 1000, what);
        }
    }
}
