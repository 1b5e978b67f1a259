using Capture.Abstractions;

namespace Capture.Pcap;

/// <summary>
/// The <c>pcap-file:</c> section of the configuration. Keys this plugin does not know are left
/// alone here (the host warns about them).
/// </summary>
public sealed class PcapFileOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "pcap-file";

    /// <summary>Default read size: large reads keep the reader far from being the bottleneck.</summary>
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>Default bypass table size in half-flow entries per address family, as the XDP filter's maps.</summary>
    public const int DefaultBypassTableSize = 32768;

    /// <summary>
    /// <c>checksum-checks</c>: <c>auto</c> (default), <c>yes</c> or <c>no</c>. With <c>no</c> packets are
    /// marked <see cref="PacketFlags.ChecksumVerified"/> so the engine does not validate them. The
    /// command line's <c>-k</c> (<see cref="CaptureSourceRequest.Checksums"/>) wins when it is not auto.
    /// </summary>
    public ChecksumMode ChecksumChecks { get; init; } = ChecksumMode.Auto;

    /// <summary><c>buffer-size</c>: bytes read from the file at a time (64 KiB to 256 MiB; default 1 MiB).</summary>
    public int BufferSize { get; init; } = DefaultBufferSize;

    /// <summary>
    /// <c>bypass-table-size</c>: half-flow entries per address family the software bypass table holds
    /// (each bypassed flow takes two); a full table fails <see cref="IBypassStrategy.TryBypass"/> with
    /// <see cref="BypassFailure.TableFull"/>. Default 32768, as the kernel filter's maps.
    /// </summary>
    public int BypassTableSize { get; init; } = DefaultBypassTableSize;

    /// <summary>Reads the <c>pcap-file:</c> section; absent keys take their defaults.</summary>
    /// <param name="root">The whole configuration tree.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line and key.</exception>
    public static PcapFileOptions FromConfiguration(ConfigNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        ConfigNode? section = root[SectionName];
        if (section is null || (section.Kind == ConfigNodeKind.Scalar && section.Value is null))
        {
            return new PcapFileOptions();
        }

        if (section.Kind != ConfigNodeKind.Mapping)
        {
            throw section.Error("expected a mapping of pcap-file settings (checksum-checks, buffer-size, bypass-table-size)");
        }

        string checksums = section.GetChoice("checksum-checks", "auto", "auto", "yes", "no");
        return new PcapFileOptions
        {
            ChecksumChecks = checksums switch
            {
                "yes" => ChecksumMode.All,
                "no" => ChecksumMode.None,
                _ => ChecksumMode.Auto,
            },
            BufferSize = (int)section.GetSize("buffer-size", DefaultBufferSize, 64 << 10, 256 << 20),
            BypassTableSize = (int)section.GetInt64("bypass-table-size", DefaultBypassTableSize, 2, 1 << 24),
        };
    }
}
