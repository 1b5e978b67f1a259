using Capture.Abstractions;

namespace Capture.Ebpf.Tests;

/// <summary>
/// Waits for XDP to have counted what a test sent: sendto() in the namespace returns before the
/// peer's receive path runs the program, so a map read right after a send can come too early.
/// </summary>
internal static class MapCounters
{
    /// <summary>Polls <see cref="IBypassStrategy.SeenSince"/> until the record holds at least the given packets each way.</summary>
    /// <returns>Whether any poll saw the flow move (false also when the deadline passed first).</returns>
    public static bool WaitFor(IBypassStrategy strategy, FlowTuple flow, BypassRecord record, long packetsToServer, long packetsToClient = 0)
    {
        bool seen = false;
        long deadline = Environment.TickCount64 + 5000;
        while (Environment.TickCount64 < deadline)
        {
            seen |= strategy.SeenSince(flow, record, 0);
            if (record.PacketsToServer >= packetsToServer && record.PacketsToClient >= packetsToClient)
            {
                return seen;
            }

            Thread.Sleep(10);
        }

        return false;
    }
}
