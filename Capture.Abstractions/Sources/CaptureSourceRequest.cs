namespace Capture.Abstractions;

/// <summary>What the host asks a <see cref="ICaptureSourceFactory"/> to open.</summary>
public sealed class CaptureSourceRequest
{
    /// <summary>An interface name, or a capture file or directory. Null: the plugin's configured default (e.g. every interface of its YAML section).</summary>
    public string? Target { get; init; }

    /// <summary>The whole configuration tree; plugins read their own section.</summary>
    public required ConfigNode Configuration { get; init; }

    /// <summary>Checksum validation requested by the operator (<c>-k</c>).</summary>
    public ChecksumMode Checksums { get; init; } = ChecksumMode.Auto;

    /// <summary>Services of the host (logging, time).</summary>
    public required IServiceProvider Services { get; init; }
}
