using Capture.Abstractions;
using Capture.Linux.Xdp.Filter;

namespace Capture.Ebpf.Tests;

/// <summary>The chain options' checks, before anything touches the kernel.</summary>
public sealed class XdpChainOptionsTests
{
    [Theory]
    [InlineData("chain", null, "xdp-chain.pin 'chain' must be an absolute path of a pin on a bpffs")]
    [InlineData("/sys/fs/bpf/../etc/x", null, "xdp-chain.pin '/sys/fs/bpf/../etc/x' must be an absolute path")]
    [InlineData("/sys/fs/bpf/chain/", null, "must be an absolute path")]
    [InlineData(null, "/sys/fs/bpf/./root", "xdp-chain.join '/sys/fs/bpf/./root' must be an absolute path")]
    [InlineData("/sys/fs/bpf/same", "/sys/fs/bpf/same", "xdp-chain.pin and xdp-chain.join are both /sys/fs/bpf/same: the filter would tail call itself")]
    public void A_bad_path_is_refused_naming_the_key(string? pin, string? join, string message)
    {
        XdpBypassOptions options = new() { Interface = "eth0", Chain = new XdpChainOptions { ArrayPin = pin, JoinArray = join } };
        ConfigurationException error = Assert.Throws<ConfigurationException>(options.Validate);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("eth0: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_programs_need_the_array_and_fit_its_slots()
    {
        XdpChainOptions chain = new() { Next = { "/sys/fs/bpf/p" } };
        Assert.Contains("xdp-chain.next needs xdp-chain.pin", Assert.Throws<ConfigurationException>(() => chain.Validate("eth0", XdpMode.Soft)).Message, StringComparison.Ordinal);

        chain.ArrayPin = "/sys/fs/bpf/chain";
        chain.Validate("eth0", XdpMode.Soft);
        for (int i = 0; i < XdpChainOptions.Slots; i++)
        {
            chain.Next.Add($"/sys/fs/bpf/p{i}");
        }

        Assert.Contains($"lists {XdpChainOptions.Slots + 1} programs; the filter tries {XdpChainOptions.Slots} slots", Assert.Throws<ConfigurationException>(() => chain.Validate("eth0", XdpMode.Soft)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_join_index_needs_the_array_and_hardware_mode_cannot_chain()
    {
        Assert.Contains("join-index 2", Assert.Throws<ConfigurationException>(() => new XdpChainOptions { ArrayPin = "/sys/fs/bpf/a", JoinIndex = 2 }.Validate("eth0", XdpMode.Soft)).Message, StringComparison.Ordinal);
        Assert.Contains("join-index -1", Assert.Throws<ConfigurationException>(() => new XdpChainOptions { JoinArray = "/sys/fs/bpf/a", JoinIndex = -1 }.Validate("eth0", XdpMode.Soft)).Message, StringComparison.Ordinal);
        ConfigurationException hw = Assert.Throws<ConfigurationException>(() => new XdpChainOptions { JoinArray = "/sys/fs/bpf/a" }.Validate("nfp0", XdpMode.Hardware));
        Assert.Contains("an offloaded filter cannot tail call or be tail called", hw.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pin_another_filter_of_the_process_owns_is_refused_naming_both_until_released()
    {
        const string Pin = "/sys/fs/bpf/claims-test/chain";
        ChainPinOwners.Claim(Pin, "eth0");
        try
        {
            ConfigurationException refused = Assert.Throws<ConfigurationException>(() => ChainPinOwners.Claim("/sys/fs/bpf//claims-test/chain", "eth1"));
            Assert.StartsWith("eth1: xdp-chain.pin /sys/fs/bpf//claims-test/chain is the program array of the filter on eth0 already", refused.Message, StringComparison.Ordinal);
            Assert.Contains("eth0 and eth1 would share one chain", refused.Message, StringComparison.Ordinal);

            // Only the owner's release frees it.
            ChainPinOwners.Release(Pin, "eth1");
            Assert.Throws<ConfigurationException>(() => ChainPinOwners.Claim(Pin, "eth1"));
        }
        finally
        {
            ChainPinOwners.Release(Pin, "eth0");
        }

        ChainPinOwners.Claim(Pin, "eth1");
        ChainPinOwners.Release(Pin, "eth1");
    }

    [Fact]
    public void A_copy_of_the_options_does_not_share_the_next_list()
    {
        XdpBypassOptions options = new() { Interface = "eth0", Chain = new XdpChainOptions { ArrayPin = "/sys/fs/bpf/a", Next = { "/sys/fs/bpf/p" } } };
        XdpBypassOptions copy = options.Clone();
        options.Chain.Next.Add("/sys/fs/bpf/q");
        options.Chain.JoinIndex = 5;
        Assert.Equal(["/sys/fs/bpf/p"], copy.Chain!.Next);
        Assert.Equal(0, copy.Chain.JoinIndex);
    }
}
