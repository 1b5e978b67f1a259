namespace Capture.Linux.Configuration;

/// <summary>How packets of one interface are spread over its fanout sockets (<c>cluster-type</c>).</summary>
public enum LiveInterfaceClusterType
{
    /// <summary><c>cluster_flow</c>: by flow hash (PACKET_FANOUT_HASH); the default.</summary>
    Flow,

    /// <summary><c>cluster_cpu</c>: by the CPU that received the packet (PACKET_FANOUT_CPU).</summary>
    Cpu,

    /// <summary><c>cluster_qm</c>: by NIC receive queue (PACKET_FANOUT_QM).</summary>
    QueueMapping,

    /// <summary><c>cluster_random</c>: at random (PACKET_FANOUT_RND).</summary>
    Random,

    /// <summary><c>cluster_round_robin</c>: in turn (PACKET_FANOUT_LB).</summary>
    RoundRobin,

    /// <summary><c>cluster_ebpf</c>: by an eBPF load-balancing program (PACKET_FANOUT_EBPF).</summary>
    Ebpf,
}
