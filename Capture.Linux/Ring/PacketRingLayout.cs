using System.Globalization;
using Capture.Abstractions;
using Capture.Linux.Configuration;

namespace Capture.Linux.Ring;

/// <summary>Turns an interface's YAML options into socket settings: thread count, ring geometry, fanout.</summary>
public static class PacketRingLayout
{
    /// <summary>Nominal TPACKET_V3 frame: a full Ethernet frame with its headers fits; V3 packs packets by real length anyway.</summary>
    public const int NominalFrameSize = 2048;

    /// <summary>Suricata's max-pending-packets default: ring-size auto is twice this, shared by the threads.</summary>
    public const int MaxPendingPackets = 1024;

    /// <summary>With <c>tpacket-v3: no</c>, ring-size auto is this many times the V3 one.</summary>
    public const int FrameRingAutoFactor = 8;

    /// <summary>
    /// TPACKET_V2 room around a frame's packet: tpacket2_hdr and sockaddr_ll (52 bytes) aligned with
    /// the MAC header to 16 (80 before the network header), the Ethernet header and one VLAN tag.
    /// </summary>
    private const int FrameOverhead = 80 + 4;

    /// <summary>Sockets for the interface: <c>threads</c>, or for auto the receive queues (cluster_qm) or the CPUs.</summary>
    /// <param name="options">The interface's options.</param>
    /// <returns>The number of fanout sockets (capture threads) the interface gets.</returns>
    public static int ResolveThreads(LiveInterfaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threads > 0)
        {
            return options.Threads;
        }

        if (options.ClusterType == LiveInterfaceClusterType.QueueMapping)
        {
            try
            {
                int queues = Directory.GetDirectories($"/sys/class/net/{options.Interface}/queues", "rx-*").Length;
                if (queues > 0)
                {
                    return queues;
                }
            }
            catch (IOException)
            {
            }
        }

        return Environment.ProcessorCount;
    }

    private static int AlignFrame(int bytes) => (bytes + 15) & ~15;

    /// <summary>The interface's MTU; 1500 when it cannot be read (no such interface yet: the ring's open names that).</summary>
    private static int ReadMtu(string name)
    {
        try
        {
            return int.TryParse(File.ReadAllText($"/sys/class/net/{name}/mtu").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int mtu) && mtu > 0 ? mtu : 1500;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 1500;
        }
    }

    /// <summary>The kernel fanout mode of a cluster type.</summary>
    /// <exception cref="ConfigurationException">cluster_ebpf (needs an eBPF load balancer this plugin does not load).</exception>
    internal static FanoutMode ToFanoutMode(LiveInterfaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ClusterType switch
        {
            LiveInterfaceClusterType.Flow => FanoutMode.Hash,
            LiveInterfaceClusterType.Cpu => FanoutMode.Cpu,
            LiveInterfaceClusterType.QueueMapping => FanoutMode.QueueMapping,
            LiveInterfaceClusterType.Random => FanoutMode.Random,
            LiveInterfaceClusterType.RoundRobin => FanoutMode.LoadBalance,
            _ => throw new ConfigurationException(
                $"{options.Location}: af-packet.{options.Interface}.cluster-type: cluster_ebpf is not supported by this plugin; expected cluster_flow, cluster_cpu, cluster_qm, cluster_random or cluster_round_robin"),
        };
    }

    /// <summary>Options for each socket of the interface.</summary>
    /// <param name="options">The interface's options.</param>
    /// <param name="threads">Sockets the interface will have.</param>
    /// <param name="requestedChecksums">The operator's <c>-k</c>; <see cref="ChecksumMode.Auto"/> leaves <c>checksum-checks</c> in charge.</param>
    /// <param name="socketFilter">The compiled <c>bpf-filter</c>, or null.</param>
    internal static PacketRingOptions Build(LiveInterfaceOptions options, int threads, ChecksumMode requestedChecksums, byte[]? socketFilter)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CopyMode != LiveInterfaceCopyMode.None)
        {
            throw new ConfigurationException(
                $"{options.Location}: af-packet.{options.Interface}.copy-mode: IPS/TAP copy mode is not supported by this plugin (IDS only); remove copy-mode");
        }

        bool frameRing = !options.TpacketV3;
        int blockSize = options.BlockSize;
        int frameSize = Math.Min(NominalFrameSize, blockSize);
        if (frameRing)
        {
            // A V2 frame holds one whole packet: header, the gap the kernel aligns the network header with, an MTU frame.
            frameSize = Math.Max(NominalFrameSize, AlignFrame(ReadMtu(options.Interface) + FrameOverhead));
            blockSize = options.V2BlockSize > 0 ? options.V2BlockSize : Environment.SystemPageSize << 5;
            if (blockSize < frameSize)
            {
                throw new ConfigurationException(
                    $"{options.Location}: af-packet.{options.Interface}.v2-block-size: {blockSize} bytes cannot hold one {frameSize}-byte frame (MTU {ReadMtu(options.Interface)}); expected at least {frameSize} rounded up to the page size, or 0 (auto)");
            }
        }

        // A V3 block packs small packets by their real length, about 14 of 64 bytes to a nominal frame's 2 KiB;
        // a V2 frame holds one. So auto gives a frame ring 8 times the frames, for the same burst of small packets.
        int autoFrames = frameRing ? MaxPendingPackets * 2 * FrameRingAutoFactor : MaxPendingPackets * 2;
        int ringSize = options.RingSize > 0 ? options.RingSize : Math.Max(1, autoFrames / Math.Max(1, threads));
        int framesPerBlock = blockSize / frameSize;
        int blocks = Math.Max(2, (ringSize + framesPerBlock - 1) / framesPerBlock);
        if (frameRing && (long)blockSize * blocks > int.MaxValue)
        {
            throw new ConfigurationException(
                $"{options.Location}: af-packet.{options.Interface}.ring-size: {ringSize} frames of {frameSize} bytes exceed the 2 GiB a TPACKET_V2 ring can have here; lower ring-size");
        }

        return new PacketRingOptions
        {
            InterfaceName = options.Interface,
            FrameRing = frameRing,
            BlockSize = blockSize,
            BlockCount = blocks,
            FrameSize = frameSize,
            BlockTimeoutMilliseconds = options.BlockTimeout,
            MmapLocked = options.MmapLocked,
            Fanout = threads > 1,
            ClusterId = (ushort)options.ClusterId,
            FanoutMode = ToFanoutMode(options),
            Defrag = options.Defrag,
            Promiscuous = !options.DisablePromisc,
            ReceiveBufferSize = options.BufferSize,
            EmergencyFlush = options.UseEmergencyFlush,
            Checksums = requestedChecksums == ChecksumMode.Auto ? options.ChecksumChecks : requestedChecksums,
            SocketFilter = socketFilter,
        };
    }
}
