using Capture.Abstractions;

namespace Capture.Pcap;

/// <summary>
/// The <c>pcap-file:</c> section of the configuration, which this plugin owns: it declares the
/// keys (<see cref="Section"/>, checked by the host) and reads them here.
/// </summary>
public sealed class PcapFileOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "pcap-file";

    /// <summary>Default read size: large reads keep the reader far from being the bottleneck.</summary>
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>Default bypass table size in half-flow entries per address family, as the XDP filter's maps.</summary>
    public const int DefaultBypassTableSize = 32768;

    private const int MinBufferSize = 64 << 10;
    private const int MaxBufferSize = 256 << 20;
    private const int MinBypassTableSize = 2;
    private const int MaxBypassTableSize = 1 << 24;

    // Suricata's directory-watching modes: -r reads a file, or a directory's captures in name order, once.
    private static readonly string[] RefusedModes = ["recursive", "continuous", "delete-when-done"];

    /// <summary>The declaration of the section and its keys.</summary>
    public static ConfigKey Section { get; } = ConfigKeys.Mapping(
        SectionName,
        "Reading capture files (-r)",
        [
            ConfigKeys.Choice("checksum-checks", "auto", "validate checksums: yes, no, or auto (-k wins)", "auto", "yes", "no"),
            ConfigKeys.Size("buffer-size", "1mb", MinBufferSize, MaxBufferSize, "bytes read from the file at a time"),
            ConfigKeys.Integer("bypass-table-size", "32768", MinBypassTableSize, MaxBypassTableSize, "half-flow entries per address family the software bypass holds; a full table fails the bypass"),
            ConfigKeys.Boolean("recursive", "no", "only no: -r <dir> reads the captures directly in the directory, in name order; yes is refused"),
            ConfigKeys.Boolean("continuous", "no", "only no: a directory is read once, not watched; yes is refused"),
            ConfigKeys.Boolean("delete-when-done", "no", "only no: capture files are never deleted; yes is refused"),
            .. ConfigKeys.NotUsed("tenant-id"),
        ]);

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
    /// <exception cref="ConfigurationException">A value is wrong, or asks for a directory-watching mode; the message names file, line and key.</exception>
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

        foreach (string mode in RefusedModes)
        {
            if (section.GetBoolean(mode, false))
            {
                throw section[mode]!.Error($"'{mode}: yes' is not supported: -r reads a capture file, or the captures directly in a directory in name order, once; set it to no or remove it");
            }
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
            BufferSize = (int)section.GetSize("buffer-size", DefaultBufferSize, MinBufferSize, MaxBufferSize),
            BypassTableSize = (int)section.GetInt64("bypass-table-size", DefaultBypassTableSize, MinBypassTableSize, MaxBypassTableSize),
        };
    }
}
