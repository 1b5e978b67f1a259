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

        int blockSize = options.BlockSize;
        int frameSize = Math.Min(NominalFrameSize, blockSize);
        int ringSize = options.RingSize > 0 ? options.RingSize : Math.Max(1, MaxPendingPackets * 2 / Math.Max(1, threads));
        int framesPerBlock = blockSize / frameSize;
        int blocks = Math.Max(2, (ringSize + framesPerBlock - 1) / framesPerBlock);
        return new PacketRingOptions
        {
            InterfaceName = options.Interface,
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
