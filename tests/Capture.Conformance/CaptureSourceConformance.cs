using Capture.Abstractions;

namespace Capture.Conformance;

/// <summary>
/// The transport-agnostic tests every capture plugin passes. A plugin's test project compiles these
/// sources and derives one class that builds scenarios (<see cref="CreateScenarioAsync"/>): sources
/// of that plugin which deliver the frames the suite sends.
/// </summary>
public abstract class CaptureSourceConformance
{
    /// <summary>How long a test waits for something that normally takes milliseconds.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    /// <summary>Cancels a test that hangs.</summary>
    protected CancellationToken Token => _timeout.Token;

    /// <summary>Builds a scenario: the plugin's sources (not started) and the means to send them frames.</summary>
    /// <param name="options">What the test needs.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The scenario; the suite disposes it.</returns>
    protected abstract Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken);

    [Fact]
    public async Task Every_frame_is_delivered_once_with_its_bytes_lengths_and_link_type()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(1000, seed: 1);
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);
        await scenario.SendAsync(frames, Token);
        IReadOnlyList<ReceivedFrame> received = await FinishAsync(scenario, collector, frames);

        var index = new FrameIndex(frames);
        int[] seen = new int[frames.Count];
        var lastIndex = new Dictionary<int, int>();
        var lastTimestamp = new Dictionary<int, long>();
        foreach (ReceivedFrame frame in received)
        {
            int at = index.Find(frame.Data);
            if (at < 0)
            {
                Assert.True(scenario.MayDeliverForeignFrames, $"a frame nobody sent was delivered ({frame.Data.Length} bytes)");
                continue;
            }

            seen[at]++;
            PacketRecord record = frame.Record;
            Assert.Equal(LinkType.Ethernet, record.LinkType);
            int stripped = (record.Flags & PacketFlags.VlanTciValid) != 0 ? 4 : 0;
            Assert.Equal(frames[at].Length - stripped, record.CaptureLength);
            Assert.True(record.OriginalLength == record.CaptureLength || record.OriginalLength == frames[at].Length, $"original length {record.OriginalLength} of a {frames[at].Length}-byte frame");
            Assert.True((record.Flags & PacketFlags.Truncated) == 0, "a whole frame is flagged truncated");

            // Each source keeps capture order and its clock does not run backwards.
            Assert.True(!lastIndex.TryGetValue(frame.SourceIndex, out int previous) || at > previous, $"frame {at} arrived after frame {previous} on source {frame.SourceIndex}");
            Assert.True(!lastTimestamp.TryGetValue(frame.SourceIndex, out long previousTime) || record.TimestampNanoseconds >= previousTime, "timestamps go backwards");
            Assert.True(record.TimestampNanoseconds > 0, "a packet without a timestamp");
            lastIndex[frame.SourceIndex] = at;
            lastTimestamp[frame.SourceIndex] = record.TimestampNanoseconds;
        }

        int[] missing = [.. Enumerable.Range(0, frames.Count).Where(i => seen[i] == 0)];
        int[] twice = [.. Enumerable.Range(0, frames.Count).Where(i => seen[i] > 1)];
        Assert.True(missing.Length == 0, $"{missing.Length} frame(s) never delivered, first {string.Join(", ", missing.Take(10))}");
        Assert.True(twice.Length == 0, $"{twice.Length} frame(s) delivered more than once, first {string.Join(", ", twice.Take(10))}");
    }

    [Fact]
    public async Task Statistics_count_what_was_delivered()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(600, seed: 2);
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);
        await scenario.SendAsync(frames, Token);
        IReadOnlyList<ReceivedFrame> received = await FinishAsync(scenario, collector, frames);

        long packets = 0;
        long bytes = 0;
        long errors = 0;
        foreach (ICaptureSource source in scenario.Sources)
        {
            CaptureStatistics statistics = source.GetStatistics();
            packets += statistics.PacketsReceived;
            bytes += statistics.BytesReceived;
            errors += statistics.Errors;
            Assert.Equal(0, statistics.KernelDrops);
            Assert.Equal(0, statistics.UnsupportedLinkType);
        }

        long deliveredBytes = received.Sum(f => (long)f.Record.OriginalLength);
        Assert.Equal(0, errors);
        if (scenario.MayDeliverForeignFrames)
        {
            Assert.True(packets >= frames.Count, $"statistics count {packets} packets, {frames.Count} were sent");
        }
        else
        {
            Assert.Equal(received.Count, packets);
            Assert.Equal(deliveredBytes, bytes);
            Assert.Equal(frames.Sum(f => (long)f.Length), bytes);
        }
    }

    [Fact]
    public async Task Batches_can_be_released_out_of_order_and_a_held_batch_stays_intact()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(3000, seed: 3);
        var index = new FrameIndex(frames);
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        ICaptureSource first = scenario.Sources[0];
        var others = new FrameCollector([.. scenario.Sources.Skip(1)]);
        await scenario.StartAsync(Token);
        await scenario.SendAsync(frames, Token);
        await scenario.EndInputAsync(Token);

        // Hold the first batch for the whole run, release the others in swapped pairs:
        // at most three batches are held at once.
        CaptureBatch? held = null;
        (PacketRecord Record, byte[] Data)[] heldCopy = [];
        CaptureBatch? pairFirst = null;
        int batches = 0;
        int delivered = 0;
        DateTime deadline = DateTime.UtcNow + Patience;
        while (delivered + CountSent(others.Frames, index) < frames.Count && DateTime.UtcNow < deadline)
        {
            CaptureBatch? batch = await ReadOneAsync(first, TimeSpan.FromSeconds(5));
            if (batch is null)
            {
                if (scenario.CompletesAtEndOfInput && first.Batches.Completion.IsCompleted)
                {
                    break;
                }

                continue;
            }

            batches++;
            foreach (ref readonly PacketRecord record in batch.Packets)
            {
                byte[] data = FrameCollector.CopyFrame(batch, record);
                if (index.Find(data) >= 0)
                {
                    delivered++;
                }
            }

            if (held is null)
            {
                held = batch;
                heldCopy = Snapshot(batch);
            }
            else if (pairFirst is null)
            {
                pairFirst = batch;
            }
            else
            {
                batch.Release();
                pairFirst.Release();
                pairFirst = null;
            }
        }

        pairFirst?.Release();
        Assert.NotNull(held);
        Assert.True(batches >= 3, $"the source delivered {delivered} frames in only {batches} batch(es); the test needs at least 3 (make the scenario's batches smaller)");
        int arrived = delivered + CountSent(others.Frames, index);
        Assert.True(arrived == frames.Count, $"{arrived} of {frames.Count} frames arrived in {batches} batches ({FrameCollector.DescribeStatistics(scenario.Sources)})");

        // The held batch still shows exactly what it showed when it arrived.
        (PacketRecord Record, byte[] Data)[] now = Snapshot(held);
        Assert.Equal(heldCopy.Length, now.Length);
        for (int i = 0; i < now.Length; i++)
        {
            Assert.Equal(heldCopy[i].Record, now[i].Record);
            Assert.True(heldCopy[i].Data.AsSpan().SequenceEqual(now[i].Data), $"packet {i} of the held batch changed while later batches were processed");
        }

        held.Release();
        await StopAllAsync(scenario);
        await DrainAsync(first);
        await others.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task StopAsync_completes_the_channel_promptly_and_delivered_batches_stay_valid()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(3000, seed: 4);
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        ICaptureSource first = scenario.Sources[0];
        await scenario.StartAsync(Token);
        await scenario.SendAsync(frames, Token);
        await scenario.EndInputAsync(Token);

        CaptureBatch? held = null;
        DateTime deadline = DateTime.UtcNow + Patience;
        while (held is null && DateTime.UtcNow < deadline)
        {
            held = await ReadOneAsync(first, TimeSpan.FromSeconds(1));
        }

        Assert.NotNull(held);
        (PacketRecord Record, byte[] Data)[] before = Snapshot(held);

        // Stop while the source still has packets to deliver and the engine holds a batch.
        using var stopTimeout = new CancellationTokenSource(Patience);
        await StopAllAsync(scenario).WaitAsync(stopTimeout.Token);
        foreach (ICaptureSource source in scenario.Sources)
        {
            Task drained = DrainAsync(source);
            Assert.True(await Task.WhenAny(drained, Task.Delay(Patience)) == drained, $"{source.Name}: the channel did not complete after StopAsync");
            await drained;
        }

        (PacketRecord Record, byte[] Data)[] after = Snapshot(held);
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < after.Length; i++)
        {
            Assert.True(before[i].Data.AsSpan().SequenceEqual(after[i].Data), "a batch delivered before the stop changed");
        }

        held.Release();
    }

    [Fact]
    public async Task StopAsync_before_StartAsync_completes_the_channel()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        foreach (ICaptureSource source in scenario.Sources)
        {
            await source.StopAsync(Token);
            Task drained = DrainAsync(source);
            Assert.True(await Task.WhenAny(drained, Task.Delay(Patience)) == drained, $"{source.Name}: the channel did not complete after StopAsync");
        }
    }

    [Fact]
    public async Task DisposeAsync_is_idempotent_started_or_not()
    {
        await using (ConformanceScenario unstarted = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token))
        {
            foreach (ICaptureSource source in unstarted.Sources)
            {
                await source.DisposeAsync();
                await source.DisposeAsync();
            }
        }

        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(100, seed: 5);
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);
        await scenario.SendAsync(frames, Token);
        await FinishAsync(scenario, collector, frames);
        foreach (ICaptureSource source in scenario.Sources)
        {
            await source.DisposeAsync();
            await source.DisposeAsync();
            _ = source.GetStatistics();
        }
    }

    [Fact]
    public async Task Descriptor_and_sources_describe_themselves_sanely()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        CapturePluginDescriptor descriptor = scenario.Descriptor;
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Name));
        Assert.Equal(descriptor.Name.ToLowerInvariant(), descriptor.Name);
        Assert.DoesNotContain(' ', descriptor.Name);
        Assert.NotNull(descriptor.PluginVersion);
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description));
        Assert.True(
            CaptureContract.IsCompatible(CaptureContract.Current, descriptor.ContractVersion, out string? reason),
            $"the plugin's contract {descriptor.ContractVersion} is not compatible with the SDK's {CaptureContract.Current}: {reason}");
        Assert.NotEmpty(scenario.Sources);
        foreach (ICaptureSource source in scenario.Sources)
        {
            Assert.False(string.IsNullOrWhiteSpace(source.Name));
            Assert.False(string.IsNullOrWhiteSpace(source.InterfaceName));
            Assert.Equal(source.Capabilities, source.Capabilities & descriptor.Capabilities);
            Assert.True((source.Capabilities & (CaptureCapabilities.Live | CaptureCapabilities.Offline)) != 0, $"{source.Name} is neither live nor offline");
            Assert.Equal((source.Capabilities & CaptureCapabilities.Offline) != 0, scenario.CompletesAtEndOfInput);
            Assert.Equal((source.Capabilities & CaptureCapabilities.Bypass) != 0, source.BypassStrategy is not null);
            if (source.BypassStrategy is { } strategy)
            {
                Assert.False(string.IsNullOrWhiteSpace(strategy.Name));
                // Nothing counted yet; a strategy that measures its latency names itself there.
                BypassStatistics statistics = strategy.GetStatistics();
                Assert.Equal(default, statistics with { Latency = default });
                Assert.Equal(0, statistics.Latency.Count);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bypassed_flow_is_not_delivered_in_either_direction_and_SeenSince_folds_its_counters(bool ipv6)
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions { Stepwise = true }, Token);
        if (BypassStrategyOf(scenario) is not { } strategy)
        {
            return;
        }

        FlowTuple flow = ipv6
            ? FrameBuilder.Flow("2001:db8:5::1", 40000, "2001:db8:5::2", 53, 17)
            : FrameBuilder.Flow("10.5.0.1", 40000, "10.5.0.2", 80, 6);
        FlowTuple other = flow with { SourcePort = 40001 };
        int tag = 1;
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);

        byte[][] opening = [FrameBuilder.Build(flow, true, 40, tag++), FrameBuilder.Build(flow, false, 40, tag++), FrameBuilder.Build(other, true, 40, tag++)];
        await scenario.SendAsync(opening, Token);
        await collector.WaitForAsync(f => CountSent(f, new FrameIndex(opening)) == opening.Length, "the flow's first frames", Patience);
        long lastSeen = collector.Frames.Max(f => f.Record.TimestampNanoseconds);

        var record = new BypassRecord();
        BypassOutcome outcome = strategy.TryBypass(flow, record);
        Assert.True(outcome.Succeeded, $"TryBypass failed: {outcome.Failure} {outcome.Detail}");
        BypassFamilyStatistics family = FamilyOf(strategy.GetStatistics(), ipv6);
        Assert.Equal(1, family.Success);
        Assert.Equal(1, family.EntriesOffloaded);

        byte[][] toServer = [FrameBuilder.Build(flow, true, 100, tag++), FrameBuilder.Build(flow, true, 200, tag++), FrameBuilder.Build(flow, true, 300, tag++)];
        byte[][] toClient = [FrameBuilder.Build(flow, false, 150, tag++), FrameBuilder.Build(flow, false, 250, tag++)];
        byte[][] unrelated = [FrameBuilder.Build(other, true, 60, tag++), FrameBuilder.Build(other, false, 60, tag++), Marker(tag++)];
        await scenario.SendAsync([toServer[0], toClient[0], unrelated[0], toServer[1], toClient[1], toServer[2], unrelated[1], unrelated[2]], Token);
        await collector.WaitForAsync(f => CountSent(f, new FrameIndex(unrelated)) == unrelated.Length, "the frames of other flows sent after the bypass", Patience);
        Assert.Equal(0, CountSent(collector.Frames, new FrameIndex([.. toServer, .. toClient])));

        // The frames of other flows arriving does not mean the kernel has counted the dropped ones:
        // veth spreads flows over queues processed on different CPUs. Ask until all five are folded
        // in (the engine asks again on every manager pass too); SeenSince must have said yes.
        bool seen = false;
        DateTime deadline = DateTime.UtcNow + Patience;
        do
        {
            seen |= strategy.SeenSince(flow, record, lastSeen);
            if (record.PacketsToServer + record.PacketsToClient >= 5)
            {
                break;
            }

            await Task.Delay(20, Token);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(seen, "SeenSince says no packet was seen after five were dropped");
        Assert.Equal(3, record.PacketsToServer);
        Assert.Equal(toServer.Sum(f => (long)f.Length), record.BytesToServer);
        Assert.Equal(2, record.PacketsToClient);
        Assert.Equal(toClient.Sum(f => (long)f.Length), record.BytesToClient);
        Assert.True(strategy.GetStatistics().Packets >= 5, "bypass statistics do not count the dropped packets");

        Assert.False(strategy.SeenSince(flow, record, collector.Frames.Max(f => f.Record.TimestampNanoseconds)), "SeenSince says packets were seen though none came");
        Assert.Equal(3, record.PacketsToServer);
        Assert.Equal(2, record.PacketsToClient);

        strategy.Release(flow, record);
        Assert.True(record.Released);
        Assert.Equal(0, FamilyOf(strategy.GetStatistics(), ipv6).EntriesOffloaded);
        await FinishAsync(scenario, collector, [.. opening, .. unrelated]);
    }

    [Fact]
    public async Task VLAN_ids_are_part_of_the_bypassed_flow()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        if (BypassStrategyOf(scenario) is not { } strategy)
        {
            return;
        }

        FlowTuple tagged = FrameBuilder.Flow("10.6.0.1", 41000, "10.6.0.2", 443, 6, 100);
        FlowTuple otherVlan = tagged with { Vlan0 = 200 };
        FlowTuple untagged = tagged with { Vlan0 = 0 };
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);
        var record = new BypassRecord();
        BypassOutcome outcome = strategy.TryBypass(tagged, record);
        Assert.True(outcome.Succeeded, $"TryBypass failed: {outcome.Failure} {outcome.Detail}");

        byte[][] dropped = [FrameBuilder.Build(tagged, true, 80, 1), FrameBuilder.Build(tagged, false, 90, 2)];
        byte[][] delivered = [FrameBuilder.Build(otherVlan, true, 80, 3), FrameBuilder.Build(untagged, false, 90, 4), Marker(5)];
        await scenario.SendAsync([dropped[0], delivered[0], dropped[1], delivered[1], delivered[2]], Token);
        await scenario.EndInputAsync(Token);
        await collector.WaitForAsync(f => CountSent(f, new FrameIndex(delivered)) == delivered.Length, "the same 5-tuple on other VLANs", Patience);
        Assert.Equal(0, CountSent(collector.Frames, new FrameIndex(dropped)));
        Assert.True(strategy.SeenSince(tagged, record, 0));
        Assert.Equal(1, record.PacketsToServer);
        Assert.Equal(1, record.PacketsToClient);
        strategy.Release(tagged, record);
        await FinishAsync(scenario, collector, delivered, inputEnded: true);
    }

    [Fact]
    public async Task Release_removes_the_entries_so_packets_are_delivered_again_and_is_idempotent()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions { Stepwise = true }, Token);
        if (BypassStrategyOf(scenario) is not { } strategy)
        {
            return;
        }

        FlowTuple flow = FrameBuilder.Flow("10.7.0.1", 42000, "10.7.0.2", 53, 17);
        var collector = new FrameCollector(scenario.Sources);
        await scenario.StartAsync(Token);
        var record = new BypassRecord();
        Assert.True(strategy.TryBypass(flow, record).Succeeded);

        byte[][] dropped = [FrameBuilder.Build(flow, true, 70, 1), FrameBuilder.Build(flow, false, 170, 2)];
        byte[] firstMarker = Marker(3);
        await scenario.SendAsync([.. dropped, firstMarker], Token);
        await collector.WaitForAsync(f => CountSent(f, new FrameIndex([firstMarker])) == 1, "the marker after the dropped frames", Patience);

        strategy.Release(flow, record);
        Assert.True(record.Released);
        Assert.Equal(1, record.PacketsToServer);
        Assert.Equal(dropped[0].Length, record.BytesToServer);
        Assert.Equal(1, record.PacketsToClient);
        Assert.Equal(dropped[1].Length, record.BytesToClient);
        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);

        byte[][] again = [FrameBuilder.Build(flow, true, 70, 4), FrameBuilder.Build(flow, false, 170, 5), Marker(6)];
        await scenario.SendAsync(again, Token);
        await collector.WaitForAsync(f => CountSent(f, new FrameIndex(again)) == again.Length, "the flow's frames after Release", Patience);
        Assert.Equal(0, CountSent(collector.Frames, new FrameIndex(dropped)));

        strategy.Release(flow, record);
        Assert.Equal(1, record.PacketsToServer);
        Assert.Equal(1, record.PacketsToClient);
        Assert.False(strategy.SeenSince(flow, record, 0), "SeenSince of a released flow");
        await FinishAsync(scenario, collector, [firstMarker, .. again]);
    }

    [Fact]
    public async Task A_full_table_fails_with_TableFull_and_leaves_nothing_behind()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions { BypassTableEntries = 2 }, Token);
        if (BypassStrategyOf(scenario) is not { } strategy || !scenario.AppliesBypassTableEntries)
        {
            return;
        }

        await scenario.StartAsync(Token);
        FlowTuple first = FrameBuilder.Flow("10.8.0.1", 43000, "10.8.0.2", 80, 6);
        FlowTuple second = first with { SourcePort = 43001 };
        FlowTuple ipv6 = FrameBuilder.Flow("2001:db8:8::1", 43000, "2001:db8:8::2", 80, 6);
        var firstRecord = new BypassRecord();
        var secondRecord = new BypassRecord();
        var ipv6Record = new BypassRecord();
        Assert.True(strategy.TryBypass(first, firstRecord).Succeeded);

        BypassOutcome full = strategy.TryBypass(second, secondRecord);
        Assert.Equal(BypassFailure.TableFull, full.Failure);
        Assert.False(string.IsNullOrWhiteSpace(full.Detail));
        BypassStatistics statistics = strategy.GetStatistics();
        Assert.Equal(1, statistics.IPv4.Failure);
        Assert.Equal(1, statistics.IPv4.EntriesOffloaded);

        // Each address family has its own table.
        Assert.True(strategy.TryBypass(ipv6, ipv6Record).Succeeded);

        strategy.Release(first, firstRecord);
        Assert.True(strategy.TryBypass(second, secondRecord).Succeeded, "a released flow's room is not given back");
        strategy.Release(second, secondRecord);
        strategy.Release(ipv6, ipv6Record);
        statistics = strategy.GetStatistics();
        Assert.Equal(0, statistics.IPv4.EntriesOffloaded);
        Assert.Equal(0, statistics.IPv6.EntriesOffloaded);
        Assert.Equal(2, statistics.IPv4.Success);
        await scenario.EndInputAsync(Token);
        await StopAllAsync(scenario);
    }

    [Fact]
    public async Task Tunnelled_and_non_TCP_UDP_flows_are_refused_as_unsupported()
    {
        await using ConformanceScenario scenario = await CreateScenarioAsync(new ConformanceScenarioOptions(), Token);
        if (BypassStrategyOf(scenario) is not { } strategy)
        {
            return;
        }

        await scenario.StartAsync(Token);
        FlowTuple tunnelled = FrameBuilder.Flow("10.9.0.1", 44000, "10.9.0.2", 80, 6) with { TunnelDepth = 1 };
        FlowTuple icmp = FrameBuilder.Flow("10.9.0.1", 0, "10.9.0.2", 0, 1);
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(tunnelled, new BypassRecord()).Failure);
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(icmp, new BypassRecord()).Failure);
        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
        await scenario.EndInputAsync(Token);
        await StopAllAsync(scenario);
    }

    /// <summary>A frame of a flow no test bypasses, sent last so its arrival shows the earlier ones were processed.</summary>
    /// <param name="tag">Unique tag.</param>
    /// <returns>The frame.</returns>
    protected static byte[] Marker(int tag) => FrameBuilder.Build(FrameBuilder.Flow("10.99.0.1", 9, "10.99.0.2", 9, 17), true, 20, 1_000_000 + tag);

    private static IBypassStrategy? BypassStrategyOf(ConformanceScenario scenario)
    {
        ICaptureSource source = scenario.Sources[0];
        if ((source.Capabilities & CaptureCapabilities.Bypass) == 0)
        {
            Assert.Null(source.BypassStrategy);
            return null;
        }

        Assert.NotNull(source.BypassStrategy);
        return source.BypassStrategy;
    }

    private static BypassFamilyStatistics FamilyOf(BypassStatistics statistics, bool ipv6) => ipv6 ? statistics.IPv6 : statistics.IPv4;

    private static int CountSent(IReadOnlyList<ReceivedFrame> received, FrameIndex sent) => received.Count(f => sent.Find(f.Data) >= 0);

    private static (PacketRecord Record, byte[] Data)[] Snapshot(CaptureBatch batch)
    {
        var copy = new (PacketRecord, byte[])[batch.Packets.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            PacketRecord record = batch.Packets[i];
            copy[i] = (record, batch.GetPacketData(record).ToArray());
        }

        return copy;
    }

    private static async Task<CaptureBatch?> ReadOneAsync(ICaptureSource source, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            if (await source.Batches.WaitToReadAsync(cancel.Token) && source.Batches.TryRead(out CaptureBatch? batch))
            {
                return batch;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }

        return null;
    }

    private static async Task DrainAsync(ICaptureSource source)
    {
        await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
        {
            batch.Release();
        }
    }

    private static async Task StopAllAsync(ConformanceScenario scenario)
    {
        foreach (ICaptureSource source in scenario.Sources)
        {
            await source.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Ends the input and waits for the end: offline sources complete by themselves; live ones are
    /// stopped once every expected frame arrived.
    /// </summary>
    private static async Task<IReadOnlyList<ReceivedFrame>> FinishAsync(ConformanceScenario scenario, FrameCollector collector, IReadOnlyList<byte[]> expected, bool inputEnded = false)
    {
        if (!inputEnded)
        {
            await scenario.EndInputAsync(CancellationToken.None);
        }

        if (!scenario.CompletesAtEndOfInput)
        {
            var index = new FrameIndex(expected);
            await collector.WaitForAsync(f => CountSent(f, index) >= expected.Count, $"{expected.Count} frames", Patience);
            await StopAllAsync(scenario);
        }

        Task completion = collector.Completion;
        Assert.True(await Task.WhenAny(completion, Task.Delay(Patience)) == completion, "the sources' channels did not complete");
        await completion;
        return collector.Frames;
    }

    /// <summary>Finds a frame among those sent, by content.</summary>
    private sealed class FrameIndex
    {
        private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);

        public FrameIndex(IReadOnlyList<byte[]> frames)
        {
            for (int i = 0; i < frames.Count; i++)
            {
                _positions.TryAdd(Convert.ToBase64String(frames[i]), i);
            }
        }

        public int Find(byte[] frame) => _positions.TryGetValue(Convert.ToBase64String(frame), out int position) ? position : -1;
    }
}
