namespace Capture.Linux.Ring;

/// <summary>PACKET_FANOUT_* modes, numbered as the kernel does.</summary>
internal enum FanoutMode : ushort
{
    /// <summary>cluster_flow: by flow hash.</summary>
    Hash = 0,

    /// <summary>cluster_round_robin.</summary>
    LoadBalance = 1,

    /// <summary>cluster_cpu: by the receiving CPU.</summary>
    Cpu = 2,

    /// <summary>cluster_random.</summary>
    Random = 4,

    /// <summary>cluster_qm: by the NIC's receive queue.</summary>
    QueueMapping = 5,
}
