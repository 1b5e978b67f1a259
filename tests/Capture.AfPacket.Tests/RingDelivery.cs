using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>
/// What every kind of ring (V3 blocks, V2 frames) must deliver: exactly the frames sent, once each,
/// with their lengths, an 802.1Q tag the kernel took off in the record and an 802.1ad one put back.
/// </summary>
internal static class RingDelivery
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Sends 600 frames (plain, 802.1Q, TCP/IPv6, QinQ) and checks each arrived once, as sent.</summary>
    /// <param name="net">The veth pair.</param>
    /// <param name="ring">The ring's keys.</param>
    public static async Task ReceivesExactlyTheFramesSentAsync(VethNamespace net, params (string Key, string Value)[] ring)
    {
        var vlan = new VlanTag(42, Priority: 5);
        var outer = new VlanTag(100, Tpid: 0x88a8);
        var sent = new List<byte[]>();
        for (int i = 0; i < 150; i++)
        {
            sent.Add(KernelFrames.Udp(net, 5000, 6000, 20 + i));
            sent.Add(KernelFrames.Udp(net, 5001, 6000, 20 + i, vlan));
            sent.Add(KernelFrames.TcpV6(net, 5002, 20 + i));
            sent.Add(KernelFrames.Udp(net, 5003, 6000, 20 + i, outer, vlan));
        }

        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(net.HostInterface, [("threads", "1"), .. ring]));
        try
        {
            Assert.Single(sources);
            Assert.Equal(net.HostInterface, sources[0].Name);
            var collector = new FrameCollector(sources);
            await AfPacketTestConfiguration.StartAllAsync(sources);
            net.CreateSender().Send(sent);
            await collector.WaitForAsync(frames => Ours(frames).Count() >= sent.Count, $"{sent.Count} frames", Patience);

            var expected = sent.ToDictionary(KernelFrames.Key);
            var seen = new HashSet<string>();
            foreach (ReceivedFrame frame in Ours(collector.Frames))
            {
                string key = KernelFrames.Key(frame.Data);
                Assert.True(expected.ContainsKey(key), $"a frame of a test flow that was never sent arrived ({frame.Data.Length} bytes, source port {KernelFrames.SourcePort(frame.Data)})");
                Assert.True(seen.Add(key), "a frame arrived twice");
                bool tagged = KernelFrames.SourcePort(frame.Data) == 5001;
                Assert.Equal(tagged, (frame.Record.Flags & PacketFlags.VlanTciValid) != 0);
                if (tagged)
                {
                    Assert.Equal(vlan.Tci, frame.Record.VlanTci);
                    Assert.Equal(frame.Data.Length - 4, frame.Record.CaptureLength);
                }
                else
                {
                    Assert.Equal(frame.Data.Length, frame.Record.CaptureLength);
                }

                Assert.Equal(frame.Record.CaptureLength, frame.Record.OriginalLength);
                Assert.Equal(LinkType.Ethernet, frame.Record.LinkType);
            }

            Assert.Equal(sent.Count, seen.Count);
            CaptureStatistics statistics = sources[0].GetStatistics();
            Assert.True(statistics.PacketsReceived >= sent.Count, $"statistics count {statistics.PacketsReceived} packets, {sent.Count} were sent");
            Assert.Equal(0, statistics.KernelDrops);
            Assert.Equal(0, statistics.Errors);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    private static IEnumerable<ReceivedFrame> Ours(IReadOnlyList<ReceivedFrame> frames) =>
        frames.Where(frame => KernelFrames.SourcePort(frame.Data) is 5000 or 5001 or 5002 or 5003);
}
