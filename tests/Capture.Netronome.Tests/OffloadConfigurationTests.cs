using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Xdp;
using Capture.Netronome.Configuration;

namespace Capture.Netronome.Tests;

/// <summary>Offload constraints refuse bad configuration with file, line and key before anything is opened.</summary>
public sealed class OffloadConfigurationTests
{
    private const string Iface = "ntrcfg0";

    [Theory]
    [InlineData("use-percpu-hash", "yes", "per-CPU")]
    [InlineData("no-percpu-hash", "no", "per-CPU")]
    [InlineData("threads", "3", "3 is not a power of two")]
    [InlineData("threads", "6", "nearest: 4")]
    [InlineData("cluster-type", "cluster_flow", "found cluster_flow")]
    [InlineData("cluster-type", "cluster_round_robin", "cluster_qm")]
    [InlineData("xdp-cpu-redirect", "1-3", "no CPU redirect")]
    public void A_value_offload_cannot_use_fails_with_file_line_and_key(string key, string value, string expected)
    {
        (string Key, string Value)[] entry = [.. TestConfig.Emulated(Iface, mode: "hw").Where(e => !string.Equals(e.Key, key, StringComparison.Ordinal) && !(string.Equals(key, "no-percpu-hash", StringComparison.Ordinal) && string.Equals(e.Key, "use-percpu-hash", StringComparison.Ordinal))), (key, value)];
        ConfigNode config = TestConfig.Section(entry);
        using var harness = new PluginHarness(config);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => harness.CreateSources());
        ConfigNode node = config.Find($"netronome.0.{key}")!;
        Assert.Equal(TestConfig.File, error.File);
        Assert.Equal(node.Line, error.Line);
        Assert.Equal($"netronome.0.{key}", error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{TestConfig.File}:{node.Line}: netronome.0.{key}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Xdp_chain_is_refused_naming_the_key()
    {
        ConfigNode config = TestConfig.Section([.. TestConfig.Emulated(Iface, mode: "hw")]);
        ConfigNode chain = ConfigNode.CreateMapping("netronome.0.xdp-chain", TestConfig.File, 40);
        chain.Set("pin", ConfigNode.CreateScalar("netronome.0.xdp-chain.pin", "/sys/fs/bpf/chain", TestConfig.File, 41));
        config.Find("netronome.0")!.Set("xdp-chain", chain);
        using var harness = new PluginHarness(config);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => harness.CreateSources());
        Assert.Equal("netronome.0.xdp-chain", error.Key);
        Assert.Equal(40, error.Line);
        Assert.Contains("the offloaded filter cannot tail call or be tail called", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_CPU_maps_asked_for_in_the_default_entry_fail_at_the_default_entry()
    {
        ConfigNode config = TestConfig.Section(
            [("interface", "default"), ("use-percpu-hash", "yes")],
            [.. TestConfig.Emulated(Iface).Where(e => !string.Equals(e.Key, "use-percpu-hash", StringComparison.Ordinal))]);
        using var harness = new PluginHarness(config);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => harness.CreateSources());
        Assert.Equal("netronome.0.use-percpu-hash", error.Key);
        Assert.Equal(config.Find("netronome.0.use-percpu-hash")!.Line, error.Line);
    }

    [Fact]
    public void A_missing_cluster_type_is_reported_at_the_interface_entry_with_what_is_required()
    {
        ConfigNode config = TestConfig.Section([.. TestConfig.Emulated(Iface).Where(e => !string.Equals(e.Key, "cluster-type", StringComparison.Ordinal))]);
        using var harness = new PluginHarness(config);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => harness.CreateSources());
        Assert.Equal("netronome.0.cluster-type", error.Key);
        Assert.Equal(config.Find("netronome.0")!.Line, error.Line);
        Assert.Contains("not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("cluster_qm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_fall_back_to_the_default_entry_and_shared_maps_and_hw_are_the_defaults()
    {
        ConfigNode config = TestConfig.Section(
            [("interface", "default"), ("threads", "4"), ("cluster-type", "cluster_qm"), ("bypass", "yes"), ("bypass-map-size", "1000")],
            [("interface", Iface)]);
        LiveInterfaceOptions options = LiveInterfaceConfiguration.Read(config, "netronome", null, null).Single();
        OffloadInterfaceOptions settings = OffloadConfiguration.Validate(config, "netronome", options);
        XdpBypassOptions filter = settings.ToFilterOptions();
        Assert.Equal(4, settings.Threads);
        Assert.Equal(XdpMode.Hardware, filter.Mode);
        Assert.False(filter.PerCpuMaps);
        Assert.Equal(2000, filter.MapCapacity);
        filter.Validate();
    }

    [Theory]
    [InlineData("driver", XdpMode.Driver)]
    [InlineData("soft", XdpMode.Soft)]
    [InlineData("hw", XdpMode.Hardware)]
    public void Xdp_mode_selects_offload_or_its_emulation(string value, XdpMode expected)
    {
        ConfigNode config = TestConfig.Section(TestConfig.Emulated(Iface, threads: 2, mode: value));
        LiveInterfaceOptions options = LiveInterfaceConfiguration.Read(config, "netronome", null, null).Single();
        Assert.Equal(expected, OffloadConfiguration.Validate(config, "netronome", options).Mode);
    }
}
