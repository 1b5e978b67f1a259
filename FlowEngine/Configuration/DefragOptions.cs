namespace FlowEngine.Configuration;

/// <summary>IP defragmentation (<c>defrag:</c>). Defaults are Suricata's.</summary>
public sealed class DefragOptions
{
    /// <summary>Memory for fragments being reassembled, bytes (<c>defrag.memcap</c>). Default 32 MiB.</summary>
    public long Memcap { get; set; } = 32L << 20;

    /// <summary>Datagrams being reassembled at once (<c>defrag.trackers</c>). Default 65535.</summary>
    public int Trackers { get; set; } = 65535;

    /// <summary>Fragments held at once (<c>defrag.max-frags</c>). Default 65535.</summary>
    public int MaxFragments { get; set; } = 65535;

    /// <summary>Seconds an incomplete datagram is kept (<c>defrag.timeout</c>). Default 60.</summary>
    public int Timeout { get; set; } = 60;

    /// <summary>Whether to reassemble at all.</summary>
    public bool Enabled { get; set; } = true;
}
