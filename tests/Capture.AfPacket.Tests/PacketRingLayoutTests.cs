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

    [Fact]
    public void Tpacket_v3_no_makes_a_frame_ring_of_ring_size_frames_that_hold_an_mtu_packet()
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", TpacketV3 = false, RingSize = 1000, BlockSize = 1 << 20 };
        PacketRingOptions settings = PacketRingLayout.Build(options, 1, ChecksumMode.Auto, null);
        Assert.True(settings.FrameRing);
        Assert.Equal(2048, settings.FrameSize); // no such interface: MTU 1500, which fits the nominal frame
        Assert.Equal(Environment.SystemPageSize << 5, settings.BlockSize); // block-size is the V3 blocks'; v2-block-size auto
        int perBlock = settings.BlockSize / 2048;
        Assert.Equal((1000 + perBlock - 1) / perBlock, settings.BlockCount);
        Assert.True(settings.FrameCount >= 1000);

        PacketRingOptions sized = PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9", TpacketV3 = false, V2BlockSize = 8192, RingSize = 10 }, 1, ChecksumMode.Auto, null);
        Assert.Equal(8192, sized.BlockSize);
        Assert.Equal(3, sized.BlockCount); // 4 frames a block: whole blocks of at least 10 frames
        Assert.Equal(12, sized.FrameCount);
        Assert.False(PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9" }, 1, ChecksumMode.Auto, null).FrameRing);

        // ring-size auto: a frame holds one packet where a V3 block packs small ones, so 8 times the frames, shared by the threads.
        PacketRingOptions auto = PacketRingLayout.Build(new LiveInterfaceOptions { Interface = "eth9", TpacketV3 = false }, 2, ChecksumMode.Auto, null);
        Assert.Equal(1024 * 2 * PacketRingLayout.FrameRingAutoFactor / 2, auto.FrameCount);
    }

    [Fact]
    public void A_v2_block_smaller_than_a_frame_is_a_configuration_error_naming_the_key()
    {
        var options = new LiveInterfaceOptions { Interface = "eth9", TpacketV3 = false, V2BlockSize = 1024 };
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => PacketRingLayout.Build(options, 1, ChecksumMode.Auto, null));
        Assert.Contains("v2-block-size", error.Message, StringComparison.Ordinal);
        Assert.Contains("2048-byte frame", error.Message, StringComparison.Ordinal);
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
