using Capture.Abstractions;
using FlowEngine.Flows;
using FlowEngine.Storage;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

public class FlowStorageTests
{
    [Fact]
    public void Slots_are_typed_by_name_and_registration_closes_at_start()
    {
        FlowStorageRegistry registry = new();
        FlowStorageSlot<BypassRecord> bypass = registry.Register<BypassRecord>("bypass_counters");
        Assert.Same(bypass, registry.Register<BypassRecord>("bypass_counters"));
        Assert.Throws<InvalidOperationException>(() => registry.Register<string>("bypass_counters"));
        FlowStorageSlot<string> note = registry.Register<string>("note");
        Assert.Equal(2, registry.Seal());
        Assert.Throws<InvalidOperationException>(() => registry.Register<string>("late"));
        Assert.Same(note, registry.Register<string>("note"));
    }

    [Fact]
    public void Values_live_with_their_flow_and_are_dropped_when_it_ends()
    {
        RecordingSink sink = new();
        FlowShard shard = Shard(sink);
        FlowStorageRegistry registry = new();
        registry.Register<BypassRecord>("bypass_counters");
        FlowStorageSlot<string> note = registry.Register<string>("note");
        int slot = shard.Send(Udp("10.4.0.1", 1, "10.4.0.2", 2), 0);
        new FlowView(shard, slot).SetStorage(note, "seen");
        Assert.Equal("seen", new FlowView(shard, slot).GetStorage(note));
        shard.RunManagerPass(At(30), CancellationToken.None);
        int again = shard.Send(Udp("10.4.0.1", 1, "10.4.0.2", 2), 31);
        Assert.Equal(slot, again);
        Assert.Null(new FlowView(shard, again).GetStorage(note));
    }
}
