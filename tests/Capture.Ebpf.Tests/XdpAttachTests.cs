using Capture.Abstractions;
using Xunit.Abstractions;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Attaching and detaching: modes, refusals, what is left behind after stop.</summary>
public sealed class XdpAttachTests(XdpAttachNet net, ITestOutputHelper output) : IClassFixture<XdpAttachNet>
{
    [Theory]
    [InlineData(XdpMode.Driver, 1)]
    [InlineData(XdpMode.Soft, 2)]
    public void Attaches_in_the_mode_asked_and_leaves_nothing_after_stop(XdpMode mode, int iproute2Mode)
    {
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        using (XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = mode }))
        {
            XdpLinkState state = XdpLinkState.Read(net.HostInterface);
            Assert.Equal(iproute2Mode, state.Mode);
            Assert.Equal(filter.ProgramId, state.ProgramId);
            Assert.Equal(XdpBypassFilter.ProgramName, state.ProgramName);
            Assert.Equal(filter.ProgramId, XdpBypassFilter.AttachedProgramId(net.HostInterface));
            Assert.True(filter.IsAttached);
            Assert.Null(filter.PinDirectory);
            Assert.Empty(filter.RestoredFlows);

            filter.Stop();
            Assert.False(filter.IsAttached);
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        }

        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        Assert.False(Directory.Exists(Path.Combine(XdpBypassOptions.DefaultPinRoot, net.HostInterface)));
    }

    [Fact]
    public void Refuses_to_replace_a_foreign_program_and_names_it()
    {
        ForeignXdpProgram.AttachGeneric(net.HostInterface);
        try
        {
            XdpLinkState foreign = XdpLinkState.Read(net.HostInterface);
            Assert.Equal(ForeignXdpProgram.Name, foreign.ProgramName);

            BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Driver }));
            Assert.Contains(net.HostInterface, refused.Message, StringComparison.Ordinal);
            Assert.Contains($"program id {foreign.ProgramId} ('{ForeignXdpProgram.Name}')", refused.Message, StringComparison.Ordinal);
            Assert.Contains("refusing to replace", refused.Message, StringComparison.Ordinal);
            output.WriteLine(refused.Message);
            Assert.Equal(foreign.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);

            // Configured to replace: the foreign program goes, ours comes, and stop leaves nothing.
            using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft, ReplaceExistingProgram = true });
            Assert.NotEqual(foreign.ProgramId, filter.ProgramId);
            Assert.Equal(filter.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);
            filter.Stop();
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        }
        finally
        {
            ForeignXdpProgram.DetachGeneric(net.HostInterface);
        }
    }

    [Fact]
    public void Replaces_a_stale_copy_of_its_own_filter_that_no_process_owns()
    {
        // Our filter attached through netlink, as a run that ended without detaching would leave it.
        IpCommand.Run("link", "set", "dev", net.HostInterface, "xdpgeneric", "obj", XdpBypassFilter.DefaultFilterFile, "sec", "xdp");
        try
        {
            uint stale = XdpLinkState.Read(net.HostInterface).ProgramId;
            Assert.NotEqual(0u, stale);

            using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft });
            Assert.NotEqual(stale, filter.ProgramId);
            Assert.Equal(filter.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);

            // A second filter finds ours held by this process's bpf_link: refused, not taken over.
            BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft }));
            Assert.Contains("another instance of the bypass runs on this interface", refused.Message, StringComparison.Ordinal);
            Assert.Equal(filter.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);
            filter.Stop();
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        }
        finally
        {
            IpCommand.TryRun("link", "set", "dev", net.HostInterface, "xdpgeneric", "off");
        }
    }

    [Fact]
    public void Hardware_mode_on_a_veth_fails_with_a_clear_message()
    {
        BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Hardware, PerCpuMaps = false }));
        output.WriteLine(refused.Message);
        Assert.Contains(net.HostInterface, refused.Message, StringComparison.Ordinal);
        Assert.Contains("'veth'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("xdp-mode: driver", refused.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.Errno);
        Assert.Contains($"(errno {refused.Errno})", refused.Message, StringComparison.Ordinal);
        Assert.Contains(refused.LibbpfMessages, m => m.Contains("flow_v4", StringComparison.Ordinal));
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
    }

    [Fact]
    public void Native_mode_refused_by_the_driver_names_it_and_suggests_soft()
    {
        // veth refuses native XDP when the peer's MTU is jumbo.
        IpCommand.Run("-n", net.NamespaceName, "link", "set", "dev", net.PeerInterface, "mtu", "9000");
        try
        {
            BpfException refused = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Driver }));
            output.WriteLine(refused.Message);
            Assert.Contains($"{net.HostInterface}: attaching the XDP filter in driver mode (driver 'veth')", refused.Message, StringComparison.Ordinal);
            Assert.Contains("xdp-mode: soft", refused.Message, StringComparison.Ordinal);
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached);

            // Generic mode works on the same interface.
            using XdpBypassFilter soft = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft });
            Assert.Equal(soft.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);
        }
        finally
        {
            IpCommand.Run("-n", net.NamespaceName, "link", "set", "dev", net.PeerInterface, "mtu", "1500");
        }
    }

    [Fact]
    public void Hardware_mode_with_per_cpu_maps_is_a_configuration_error()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Hardware }));
        Assert.Contains("use-percpu-hash: no", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_interface_is_named()
    {
        BpfException error = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = "nosuchif0" }));
        Assert.Contains("nosuchif0: no such interface", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_filter_file_is_named()
    {
        BpfException error = Assert.Throws<BpfException>(() => XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, FilterFile = "/nonexistent/filter.o" }));
        Assert.Contains("/nonexistent/filter.o does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
    }
}
