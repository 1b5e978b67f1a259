using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Ring;

namespace Capture.AfPacket.Tests;

public sealed class PacketRingLayoutTests
{
    [Fact]
    public void Auto_threads_use_every_cpu_for_cluster_flow()
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", Threads = 0 };
        Assert.Equal(Environment.ProcessorCount, PacketRingLayout.ResolveThreads(options));
        Assert.Equal(3, PacketRingLayout.ResolveThreads(new LiveInterfaceOptions { Interface = "eth9", Threads = 3 }));
    }

    [Fact]
    public void Ring_size_in_packets_becomes_whole_blocks_and_threads_share_the_auto_size()
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", BlockSize = 32768, RingSize = 1000 };
        PacketRingOptions settings = PacketRingLayout.Build(options, 1, ChecksumMode.Auto, null);
        Assert.Equal(2048, settings.FrameSize);
        Assert.Equal(63, settings.BlockCount); // 16 frames per block
        Assert.False(settings.Fanout);

        PacketRingOptions auto = PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9", BlockSize = 131072 }, 4, ChecksumMode.Auto, null);
        Assert.Equal(8, auto.BlockCount); // 1024 * 2 / 4 = 512 frames of 64 per block
        Assert.True(auto.Fanout);
    }

    [Theory]
    [InlineData(LiveInterfaceClusterType.Flow, FanoutMode.Hash)]
    [InlineData(LiveInterfaceClusterType.Cpu, FanoutMode.Cpu)]
    [InlineData(LiveInterfaceClusterType.QueueMapping, FanoutMode.QueueMapping)]
    [InlineData(LiveInterfaceClusterType.Random, FanoutMode.Random)]
    [InlineData(LiveInterfaceClusterType.RoundRobin, FanoutMode.LoadBalance)]
    internal void Cluster_types_map_to_kernel_fanout_modes(LiveInterfaceClusterType type, FanoutMode mode)
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", ClusterType = type, ClusterId = 77, Defrag = true };
        PacketRingOptions settings = PacketRingLayout.Build(options, 2, ChecksumMode.Auto, null);
        Assert.Equal(mode, settings.FanoutMode);
        Assert.Equal(77, settings.ClusterId);
        Assert.True(settings.Defrag);
    }

    [Fact]
    public void Unsupported_modes_are_configuration_errors_naming_the_key()
    {
        ConfigurationException ebpf = Assert.Throws<ConfigurationException>(() =>
            PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9", ClusterType = LiveInterfaceClusterType.Ebpf }, 2, ChecksumMode.Auto, null));
        Assert.Contains("cluster-type", ebpf.Message, StringComparison.Ordinal);
        ConfigurationException copy = Assert.Throws<ConfigurationException>(() =>
            PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9", CopyMode = LiveInterfaceCopyMode.Ips, CopyInterface = "eth8" }, 1, ChecksumMode.Auto, null));
        Assert.Contains("copy-mode", copy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_checksum_mode_overrides_checksum_checks()
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", ChecksumChecks = ChecksumMode.None, DisablePromisc = true, UseEmergencyFlush = true, BufferSize = 4096 };
        Assert.Equal(ChecksumMode.None, PacketRingLayout.Build(options, 1, ChecksumMode.Auto, null).Checksums);
        PacketRingOptions settings = PacketRingLayout.Build(options, 1, ChecksumMode.All, null);
        Assert.Equal(ChecksumMode.All, settings.Checksums);
        Assert.False(settings.Promiscuous);
        Assert.True(settings.EmergencyFlush);
        Assert.Equal(4096, settings.ReceiveBufferSize);
    }

    [Fact]
    public void Plugin_describes_itself_and_registers_its_factory_under_its_name()
    {
        var plugin = new AfPacketCapturePlugin();
        Assert.Equal("af-packet", plugin.Descriptor.Name);
        Assert.Equal(CaptureCapabilities.Live | CaptureCapabilities.Bypass, plugin.Descriptor.Capabilities);
        Assert.Equal(new Version(CaptureContract.Major, CaptureContract.Minor), plugin.Descriptor.ContractVersion);
        ICaptureSourceFactory factory = AfPacketTestConfiguration.Factory();
        Assert.Same(plugin.Descriptor.Name, factory.Descriptor.Name);
    }

    [Fact]
    public void No_interface_anywhere_is_a_configuration_error()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => AfPacketTestConfiguration.CreateSources(ConfigNode.CreateMapping()));
        Assert.Contains("no interface", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_selects_one_interface_with_the_default_entrys_values()
    {
        ConfigNode root = AfPacketTestConfiguration.Root("default", ("threads", "3"), ("cluster-id", "4401"));
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(root, "afpother0");
        Assert.Equal(["afpother0#1", "afpother0#2", "afpother0#3"], sources.Select(s => s.Name));
        Assert.All(sources, s => Assert.Null(s.BypassStrategy));
    }
}
