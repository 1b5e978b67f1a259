using Capture.Abstractions;
using Capture.Linux.Bypass;
using Capture.Linux.Configuration;
using Capture.Linux.Xdp.Filter;
using Capture.Tests.Kernel;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Capture.Ebpf.Tests;

/// <summary>
/// The filter shares the XDP hook with other programs through pinned program arrays: as the root
/// of a chain (what it does not drop goes on by tail call to the programs in its slots, put there
/// and taken out at run time), as a slot in a chain another program roots, and never beside
/// libxdp's dispatcher. Every program besides ours is built and loaded here (<see cref="ChainMember"/>).
/// </summary>
public sealed class XdpChainTests : IClassFixture<XdpChainNet>
{
    private const int ToServer = 5;
    private const int ToClient = 3;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly XdpChainNet _net;
    private readonly ITestOutputHelper _output;

    public XdpChainTests(XdpChainNet net, ITestOutputHelper output)
    {
        _net = net;
        _output = output;
        net.RemovePins();
        IpCommand.TryRun("link", "set", "dev", net.HostInterface, "xdp", "off");
    }

    [Theory]
    [InlineData(XdpMode.Driver, true)]
    [InlineData(XdpMode.Soft, false)]
    public void As_the_root_it_hands_the_next_program_every_packet_it_passes_and_none_it_drops(XdpMode mode, bool perCpu)
    {
        string chainPin = _net.Pin("chain");
        string nextPin = _net.Pin("next_prog");
        TestFlow[] bypassed = [TestFlow.Create(_net, false, 17, 46001, 53), TestFlow.Create(_net, true, 6, 46002, 443)];
        TestFlow[] passing = [TestFlow.Create(_net, false, 17, 46101, 53), TestFlow.Create(_net, true, 6, 46102, 443)];
        using (ChainMember next = ChainMember.Load("xch_next"))
        {
            next.PinProgram(nextPin);
            XdpBypassOptions options = new()
            {
                Interface = _net.HostInterface,
                Mode = mode,
                PerCpuMaps = perCpu,
                Chain = new XdpChainOptions { ArrayPin = chainPin, Next = { nextPin } },
            };
            using (XdpBypassFilter filter = XdpBypassFilter.Start(options))
            {
                Assert.Equal(filter.ProgramId, XdpLinkState.Read(_net.HostInterface).ProgramId);
                Assert.Equal(next.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
                BypassRecord[] records = Bypass(filter, bypassed);

                Dictionary<(byte, ushort, ushort), int> arrived = Round(bypassed.Concat(passing));

                for (int i = 0; i < bypassed.Length; i++)
                {
                    Assert.True(MapCounters.WaitFor(filter.Strategy, bypassed[i].Tuple, records[i], ToServer, ToClient));
                    Assert.Equal((ToServer, ToClient), (records[i].PacketsToServer, records[i].PacketsToClient));
                    Assert.Equal((0L, 0L), next.Seen(bypassed[i]));
                    Assert.Equal(0, arrived.GetValueOrDefault(bypassed[i].ToServerPorts));
                    Assert.Equal(0, arrived.GetValueOrDefault(bypassed[i].ToClientPorts));
                }

                foreach (TestFlow flow in passing)
                {
                    Assert.Equal((ToServer, ToClient), next.Seen(flow));
                    Assert.Equal(ToServer, arrived.GetValueOrDefault(flow.ToServerPorts));
                    Assert.Equal(ToClient, arrived.GetValueOrDefault(flow.ToClientPorts));
                }

                filter.Stop();
                Assert.False(XdpLinkState.Read(_net.HostInterface).Attached);

                // The array was created for this run and nobody else took a slot: unpinned.
                Assert.False(File.Exists(chainPin));
            }

            // The next program is the operator's: still pinned and loaded.
            Assert.True(File.Exists(nextPin));
        }

        AssertNothingLeft();
    }

    [Fact]
    public void Programs_put_in_and_taken_out_of_its_slots_at_run_time_see_what_it_passes()
    {
        string chainPin = _net.Pin("chain");
        TestFlow bypassed = TestFlow.Create(_net, false, 17, 47001, 53);
        TestFlow passing = TestFlow.Create(_net, false, 17, 47101, 53);
        XdpBypassOptions options = new() { Interface = _net.HostInterface, Mode = XdpMode.Driver, Chain = new XdpChainOptions { ArrayPin = chainPin } };
        using (ChainMember first = ChainMember.Load("xch_first"))
        using (ChainMember second = ChainMember.Load("xch_second"))
        {
            using (XdpBypassFilter filter = XdpBypassFilter.Start(options))
            {
                BypassRecord record = Bypass(filter, [bypassed])[0];

                // An empty chain: what the filter passes is XDP_PASS.
                AssertRound(bypassed, passing, record, 1);
                Assert.Equal((0L, 0L), first.Seen(passing));

                // An operator puts a program in slot 2: it sees what passes, not what is dropped.
                ChainMember.PutInSlot(chainPin, 2, second);
                AssertRound(bypassed, passing, record, 2);
                Assert.Equal((ToServer, ToClient), second.Seen(passing));

                // Slot 0 is tried first: a program put there takes the traffic.
                ChainMember.PutInSlot(chainPin, 0, first);
                AssertRound(bypassed, passing, record, 3);
                Assert.Equal((ToServer, ToClient), first.Seen(passing));
                Assert.Equal((ToServer, ToClient), second.Seen(passing));

                // Taken out again: slot 2 is next.
                ChainMember.ClearSlot(chainPin, 0);
                AssertRound(bypassed, passing, record, 4);
                Assert.Equal((ToServer, ToClient), first.Seen(passing));
                Assert.Equal((2 * ToServer, 2 * ToClient), second.Seen(passing));
                Assert.Equal((0L, 0L), first.Seen(bypassed));
                Assert.Equal((0L, 0L), second.Seen(bypassed));

                // Stopped with an operator's program in slot 2: unpinning would empty the array, so it stays.
                filter.Stop();
                Assert.False(XdpLinkState.Read(_net.HostInterface).Attached);
                Assert.Equal(second.ProgramId(), ChainMember.ProgramInSlot(chainPin, 2));
            }

            // A restart reuses the pinned array and what is in it.
            using (XdpBypassFilter again = XdpBypassFilter.Start(options))
            {
                BypassRecord record = Bypass(again, [bypassed])[0];
                AssertRound(bypassed, passing, record, 1);
                Assert.Equal((3 * ToServer, 3 * ToClient), second.Seen(passing));
                Assert.Equal((0L, 0L), second.Seen(bypassed));
            }

            // Not created by that run: kept, slot untouched.
            Assert.Equal(second.ProgramId(), ChainMember.ProgramInSlot(chainPin, 2));
            ChainMember.ClearSlot(chainPin, 2);
            File.Delete(chainPin);
        }

        AssertNothingLeft();
    }

    [Fact]
    public void As_a_slot_of_a_chain_another_program_roots_it_drops_what_it_bypasses_and_takes_out_only_itself()
    {
        string rootNext = _net.Pin("root_next");
        string afterPin = _net.Pin("after_prog");
        string chainPin = _net.Pin("chain");
        TestFlow bypassed = TestFlow.Create(_net, false, 6, 48001, 80);
        TestFlow passing = TestFlow.Create(_net, true, 17, 48101, 53);
        using (ChainMember root = ChainMember.Load("xch_root"))
        using (ChainMember after = ChainMember.Load("xch_after"))
        {
            root.PinNext(rootNext);
            after.PinProgram(afterPin);
            root.AttachDriver(_net.HostIndex);
            uint rootId = root.ProgramId();
            Assert.Equal(rootId, XdpLinkState.Read(_net.HostInterface).ProgramId);

            // In slot 0 of the root's array, the one the root continues to.
            XdpBypassOptions options = new()
            {
                Interface = _net.HostInterface,
                Chain = new XdpChainOptions { JoinArray = rootNext, JoinIndex = 0, ArrayPin = chainPin, Next = { afterPin } },
            };
            using (XdpBypassFilter filter = XdpBypassFilter.Start(options))
            {
                // The interface still runs the root; the filter runs in its slot and continues to its own next program.
                Assert.Equal(rootId, XdpLinkState.Read(_net.HostInterface).ProgramId);
                Assert.Equal(filter.ProgramId, ChainMember.ProgramInSlot(rootNext, 0));
                Assert.Equal(after.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
                Assert.True(filter.IsAttached);
                BypassRecord record = Bypass(filter, [bypassed])[0];

                AssertRound(bypassed, passing, record, 1);
                Assert.Equal((ToServer, ToClient), root.Seen(bypassed));
                Assert.Equal((ToServer, ToClient), root.Seen(passing));
                Assert.Equal((ToServer, ToClient), after.Seen(passing));
                Assert.Equal((0L, 0L), after.Seen(bypassed));

                filter.Stop();
                Assert.False(filter.IsAttached);

                // Only the filter's own slot and pins are gone; the root runs on.
                Assert.Equal(rootId, XdpLinkState.Read(_net.HostInterface).ProgramId);
                Assert.Equal(0u, ChainMember.ProgramInSlot(rootNext, 0));
                Assert.False(File.Exists(chainPin));
                Assert.True(File.Exists(afterPin));
                using RawFrameReceiver receiver = new(_net.HostInterface);
                _net.CreateSender().Send([bypassed.ToServerFrame]);
                Assert.Equal(1, receiver.CountByPorts(Quiet).GetValueOrDefault(bypassed.ToServerPorts));
                Assert.Equal((ToServer + 1, ToClient), root.Seen(bypassed));
            }
        }

        AssertNothingLeft();
    }

    [Fact]
    public void A_taken_slot_is_refused_and_left_as_it_is_unless_replacing_is_configured()
    {
        string rootNext = _net.Pin("root_next");
        using (ChainMember root = ChainMember.Load("xch_root"))
        using (ChainMember occupant = ChainMember.Load("xch_occupant"))
        {
            root.PinNext(rootNext);
            ChainMember.PutInSlot(rootNext, 1, occupant);
            XdpBypassOptions options = new() { Interface = _net.HostInterface, Chain = new XdpChainOptions { JoinArray = rootNext, JoinIndex = 1 } };

            BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(options));
            _output.WriteLine(refused.Message);
            Assert.Contains($"{_net.HostInterface}: xdp-chain.join: slot 1 of {rootNext} holds program id {occupant.ProgramId()} ('xch_occupant'); refusing to replace it", refused.Message, StringComparison.Ordinal);
            Assert.Equal(occupant.ProgramId(), ChainMember.ProgramInSlot(rootNext, 1));

            options.Chain.JoinIndex = 4;
            refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(options));
            Assert.Contains($"xdp-chain.join-index: 4 is not a slot of {rootNext}, which has 4 (0..3)", refused.Message, StringComparison.Ordinal);

            options.Chain.JoinArray = _net.Pin("nothing_here");
            refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(options));
            Assert.Contains($"nothing is pinned at {_net.Pin("nothing_here")}", refused.Message, StringComparison.Ordinal);

            // A next program for a slot an operator filled otherwise is refused too, and the array is left as found.
            string chainPin = _net.Pin("chain");
            root.PinProgram(_net.Pin("root_prog"));
            using (ChainMember holder = ChainMember.Load("xch_holder"))
            {
                holder.PinNext(chainPin);
                ChainMember.PutInSlot(chainPin, 0, occupant);
                XdpBypassOptions root0 = new() { Interface = _net.HostInterface, Chain = new XdpChainOptions { ArrayPin = chainPin, Next = { _net.Pin("root_prog") } } };
                refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(root0));
                _output.WriteLine(refused.Message);
                Assert.Contains($"xdp-chain.next[0]: slot 0 of {chainPin} holds program id {occupant.ProgramId()} ('xch_occupant'), not {_net.Pin("root_prog")}; refusing to replace it", refused.Message, StringComparison.Ordinal);
                Assert.Equal(occupant.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
                Assert.False(XdpLinkState.Read(_net.HostInterface).Attached);
            }

            // The filter's own program left in the slot by a run that was killed is replaced without asking.
            using (ChainMember stale = ChainMember.Load(XdpBypassFilter.ProgramName))
            {
                ChainMember.PutInSlot(rootNext, 2, stale);
                options.Chain.JoinArray = rootNext;
                options.Chain.JoinIndex = 2;
                using (XdpBypassFilter filter = XdpBypassFilter.Start(options))
                {
                    Assert.NotEqual(stale.ProgramId(), filter.ProgramId);
                    Assert.Equal(filter.ProgramId, ChainMember.ProgramInSlot(rootNext, 2));
                }

                Assert.Equal(0u, ChainMember.ProgramInSlot(rootNext, 2));
            }

            // Configured to replace: the occupant goes, and at stop only the filter's entry is taken out.
            options.Chain.JoinArray = rootNext;
            options.Chain.JoinIndex = 1;
            options.ReplaceExistingProgram = true;
            using (XdpBypassFilter filter = XdpBypassFilter.Start(options))
            {
                Assert.Equal(filter.ProgramId, ChainMember.ProgramInSlot(rootNext, 1));
            }

            Assert.Equal(0u, ChainMember.ProgramInSlot(rootNext, 1));
        }

        AssertNothingLeft();
    }

    [Fact]
    public void The_af_packet_entry_starts_the_filter_as_the_root_with_its_next_programs()
    {
        string chainPin = _net.Pin("chain");
        string nextPin = _net.Pin("next_prog");
        using (ChainMember next = ChainMember.Load("xch_next"))
        {
            next.PinProgram(nextPin);
            LiveInterfaceOptions entry = new()
            {
                Interface = _net.HostInterface,
                Bypass = true,
                XdpMode = LiveInterfaceXdpMode.Driver,
                XdpChainPin = chainPin,
                XdpChainNext = [nextPin],
            };
            using (IInterfaceBypass bypass = XdpInterfaceBypass.Create(entry, NullLoggerFactory.Instance))
            {
                XdpBypassFilter filter = ((XdpInterfaceBypass)bypass).Filter;
                Assert.Equal(filter.ProgramId, XdpLinkState.Read(_net.HostInterface).ProgramId);
                Assert.Equal(next.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
                bypass.Detach();
                Assert.False(File.Exists(chainPin));
            }
        }

        AssertNothingLeft();
    }

    [Fact]
    public void A_second_filter_on_the_same_pin_is_refused_naming_both_and_the_first_chain_runs_on()
    {
        string chainPin = _net.Pin("chain");
        string nextPin = _net.Pin("next_prog");
        TestFlow bypassed = TestFlow.Create(_net, false, 17, 48001, 53);
        TestFlow passing = TestFlow.Create(_net, false, 17, 48101, 53);
        using (ChainMember next = ChainMember.Load("xch_next"))
        {
            next.PinProgram(nextPin);
            XdpBypassOptions first = new() { Interface = _net.HostInterface, Mode = XdpMode.Driver, Chain = new XdpChainOptions { ArrayPin = chainPin, Next = { nextPin } } };
            using (XdpBypassFilter filter = XdpBypassFilter.Start(first))
            {
                BypassRecord record = Bypass(filter, [bypassed])[0];

                // The loopback interface, configured with the same pin (also spelled with a doubled slash):
                // it would root its chain in the first filter's array, and its stop would empty slot 0 under it.
                foreach (string samePin in new[] { chainPin, chainPin.Replace("/xchain/", "/xchain//", StringComparison.Ordinal) })
                {
                    XdpBypassOptions second = new() { Interface = "lo", Mode = XdpMode.Soft, Chain = new XdpChainOptions { ArrayPin = samePin, Next = { nextPin } } };
                    ConfigurationException refused = Assert.Throws<ConfigurationException>(() => XdpBypassFilter.Start(second));
                    _output.WriteLine(refused.Message);
                    Assert.StartsWith($"lo: xdp-chain.pin {samePin} is the program array of the filter on {_net.HostInterface} already", refused.Message, StringComparison.Ordinal);
                    Assert.False(XdpLinkState.Read("lo").Attached, "the refused filter was attached to lo");
                }

                // As if the first filter were another process's (this process holds no claim on the pin):
                // the kernel tells, since the filter attached to the veth tail calls through the array.
                ChainPinOwners.Release(chainPin, _net.HostInterface);
                try
                {
                    XdpBypassOptions second = new() { Interface = "lo", Mode = XdpMode.Soft, Chain = new XdpChainOptions { ArrayPin = chainPin } };
                    ConfigurationException refused = Assert.Throws<ConfigurationException>(() => XdpBypassFilter.Start(second));
                    _output.WriteLine(refused.Message);
                    Assert.StartsWith($"lo: xdp-chain.pin {chainPin} is the program array of the filter, program id {filter.ProgramId} ('xdp_bypass'), attached to {_net.HostInterface}", refused.Message, StringComparison.Ordinal);
                    Assert.False(XdpLinkState.Read("lo").Attached, "the refused filter was attached to lo");
                }
                finally
                {
                    ChainPinOwners.Claim(chainPin, _net.HostInterface);
                }

                // The first chain is whole: its next program in slot 0 sees what passes.
                Assert.Equal(next.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
                AssertRound(bypassed, passing, record, 1);
                Assert.Equal((ToServer, ToClient), next.Seen(passing));
                filter.Stop();
                Assert.False(File.Exists(chainPin));
            }

            // Released at stop: the pin can root a chain again.
            using (XdpBypassFilter again = XdpBypassFilter.Start(first))
            {
                Assert.Equal(next.ProgramId(), ChainMember.ProgramInSlot(chainPin, 0));
            }
        }

        AssertNothingLeft();
    }

    [Fact]
    public void A_libxdp_dispatcher_on_the_interface_is_recognised_and_refused()
    {
        IpCommand.Run("link", "set", "dev", _net.HostInterface, "xdpgeneric", "obj", ChainMember.ObjectFile(XdpBypassFilter.LibxdpDispatcherName), "sec", "xdp");
        try
        {
            XdpLinkState dispatcher = XdpLinkState.Read(_net.HostInterface);
            Assert.Equal(XdpBypassFilter.LibxdpDispatcherName, dispatcher.ProgramName);
            foreach (XdpBypassOptions options in new XdpBypassOptions[]
            {
                new() { Interface = _net.HostInterface },
                new() { Interface = _net.HostInterface, ReplaceExistingProgram = true },
                new() { Interface = _net.HostInterface, Chain = new XdpChainOptions { ArrayPin = _net.Pin("chain") } },
            })
            {
                BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(options));
                _output.WriteLine(refused.Message);
                Assert.Contains($"{_net.HostInterface} runs libxdp's multi-program dispatcher (program id {dispatcher.ProgramId} ('xdp_dispatcher'), soft mode)", refused.Message, StringComparison.Ordinal);
                Assert.Contains("libxdp's dispatcher cannot run here", refused.Message, StringComparison.Ordinal);
                Assert.Contains("returns EPERM on this machine", refused.Message, StringComparison.Ordinal);
                Assert.Equal(dispatcher.ProgramId, XdpLinkState.Read(_net.HostInterface).ProgramId);
            }
        }
        finally
        {
            IpCommand.TryRun("link", "set", "dev", _net.HostInterface, "xdpgeneric", "off");
        }

        AssertNothingLeft();
    }

    private static BypassRecord[] Bypass(XdpBypassFilter filter, TestFlow[] flows)
    {
        BypassRecord[] records = [.. flows.Select(_ => new BypassRecord())];
        for (int i = 0; i < flows.Length; i++)
        {
            BypassOutcome outcome = filter.Strategy.TryBypass(flows[i].Tuple, records[i]);
            Assert.True(outcome.Succeeded, outcome.Detail);
        }

        return records;
    }

    /// <summary>Sends <see cref="ToServer"/> and <see cref="ToClient"/> frames of each flow; returns what reached user space once the interface is quiet.</summary>
    private Dictionary<(byte, ushort, ushort), int> Round(IEnumerable<TestFlow> flows)
    {
        List<byte[]> frames = [];
        TestFlow[] all = [.. flows];
        for (int i = 0; i < ToServer; i++)
        {
            foreach (TestFlow flow in all)
            {
                frames.Add(flow.ToServerFrame);
                if (i < ToClient)
                {
                    frames.Add(flow.ToClientFrame);
                }
            }
        }

        using RawFrameReceiver receiver = new(_net.HostInterface);
        _net.CreateSender().Send(frames);
        return receiver.CountByPorts(Quiet);
    }

    /// <summary>One round: the bypassed flow is dropped and counted in our map (round <paramref name="round"/> in all), the passing one reaches user space.</summary>
    private void AssertRound(TestFlow bypassed, TestFlow passing, BypassRecord record, int round)
    {
        Dictionary<(byte, ushort, ushort), int> arrived = Round([bypassed, passing]);
        Assert.Equal(ToServer, arrived.GetValueOrDefault(passing.ToServerPorts));
        Assert.Equal(ToClient, arrived.GetValueOrDefault(passing.ToClientPorts));
        Assert.Equal(0, arrived.GetValueOrDefault(bypassed.ToServerPorts));
        Assert.Equal(0, arrived.GetValueOrDefault(bypassed.ToClientPorts));
        Assert.True(MapCounters.WaitFor(record.Strategy!, bypassed.Tuple, record, round * ToServer, round * ToClient));
        Assert.Equal((round * ToServer, round * ToClient), (record.PacketsToServer, record.PacketsToClient));
    }

    private void AssertNothingLeft()
    {
        Assert.False(XdpLinkState.Read(_net.HostInterface).Attached);
        Assert.Empty(Directory.Exists(_net.PinDirectory) ? Directory.EnumerateFileSystemEntries(_net.PinDirectory) : []);
        Assert.False(Directory.Exists(Path.Combine(XdpBypassOptions.DefaultPinRoot, _net.HostInterface)));
    }
}
