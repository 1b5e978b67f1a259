using Capture.Abstractions;

namespace Capture.Libpcap.Tests;

public sealed class LibpcapInterfaceOptionsTests
{
    private static readonly (string, string)[] Defaults =
    [
        ("buffer-size", "4mb"), ("snaplen", "200"), ("promisc", "no"), ("checksum-checks", "no"), ("bpf-filter", "tcp"), ("threads", "auto"),
    ];

    [Fact]
    public void Every_key_falls_back_to_the_default_entry_then_to_the_code_default()
    {
        ConfigNode root = LibpcapTestConfiguration.Root(("default", Defaults), ("eth9", [("snaplen", "300")]));

        LibpcapInterfaceOptions listed = Assert.Single(LibpcapInterfaceOptions.Read(root, "eth9"));
        Assert.Equal(300, listed.Snaplen);
        Assert.Equal(4 << 20, listed.BufferSize);
        Assert.False(listed.Promiscuous);
        Assert.Equal(ChecksumMode.None, listed.ChecksumChecks);
        Assert.Equal("tcp", listed.BpfFilter);

        LibpcapInterfaceOptions unlisted = Assert.Single(LibpcapInterfaceOptions.Read(root, "eth7"));
        Assert.Equal("eth7", unlisted.Interface);
        Assert.Equal(200, unlisted.Snaplen);
        Assert.Equal("tcp", unlisted.BpfFilter);

        Assert.Equal(["eth9"], LibpcapInterfaceOptions.Read(root, null).Select(o => o.Interface));
        LibpcapInterfaceOptions bare = Assert.Single(LibpcapInterfaceOptions.Read(ConfigNode.CreateMapping(), "lo"));
        Assert.True(bare.Promiscuous);
        Assert.Null(bare.Snaplen);
        Assert.Null(bare.BufferSize);
        Assert.Null(bare.BpfFilter);
        Assert.Equal(ChecksumMode.Auto, bare.ChecksumChecks);
    }

    [Fact]
    public void The_default_snap_length_is_the_mtu_with_room_for_ethernet_and_three_vlan_tags_or_the_whole_packet()
    {
        var options = new LibpcapInterfaceOptions { Interface = "eth0" };
        Assert.Equal(1526, options.EffectiveSnaplen(1500));
        Assert.Equal(LibpcapInterfaceOptions.MaxSnaplen, options.EffectiveSnaplen(null));
        Assert.Equal(100, new LibpcapInterfaceOptions { Interface = "eth0", Snaplen = 100 }.EffectiveSnaplen(1500));
    }

    [Fact]
    public void Several_threads_are_refused_because_plain_libpcap_has_no_fanout()
    {
        ConfigNode root = LibpcapTestConfiguration.Root(("eth0", [("threads", "4")]));
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LibpcapInterfaceOptions.Read(root, null));
        Assert.Contains("test.yaml:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("use 1 or auto, or the af-packet plugin", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("checksum-checks", "maybe", "expected yes, no or auto")]
    [InlineData("snaplen", "10", "snaplen")]
    [InlineData("buffer-size", "lots", "buffer-size")]
    [InlineData("promisc", "perhaps", "promisc")]
    public void A_bad_value_names_file_line_and_key(string key, string value, string expected)
    {
        ConfigNode root = LibpcapTestConfiguration.Root(("eth0", [(key, value)]));
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LibpcapInterfaceOptions.Read(root, null));
        Assert.Contains("test.yaml:3", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_default_is_refused()
    {
        ConfigNode twice = LibpcapTestConfiguration.Root(("default", []), ("default", []));
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LibpcapInterfaceOptions.Read(twice, null));
        Assert.Contains("a second 'interface: default' entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_without_interfaces_and_no_target_is_a_configuration_error()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LibpcapTestConfiguration.CreateSources(LibpcapTestConfiguration.Root(("default", [])), null));
        Assert.Contains("no interface to capture on", error.Message, StringComparison.Ordinal);
    }
}
