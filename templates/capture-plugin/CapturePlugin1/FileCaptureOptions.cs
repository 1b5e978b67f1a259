using Capture.Abstractions;

namespace CapturePlugin1;

/// <summary>
/// The plugin's own YAML section, <c>file-capture:</c>. The plugin declares it (<see cref="Section"/>:
/// the host checks every key of the file against it, warns about unknown keys and documents it)
/// and binds it once at registration; the factory receives it as <c>IOptions&lt;FileCaptureOptions&gt;</c>.
/// </summary>
public sealed class FileCaptureOptions
{
    /// <summary>Packets per batch when <c>batch-size</c> is absent.</summary>
    public const int DefaultBatchSize = 64;

    private const int MaxBatchSize = 4096;

    /// <summary>The declaration of the section: its keys, types, defaults, allowed values and meaning.</summary>
    public static ConfigKey Section { get; } = ConfigKeys.Mapping(
        FileCapturePlugin.Name,
        "Reading classic pcap files",
        ConfigKeys.Integer("batch-size", "64", 1, MaxBatchSize, "packets a batch holds"));

    /// <summary>Packets a batch holds (<c>batch-size</c>).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Reads the section; absent keys take their defaults.</summary>
    /// <param name="root">The whole configuration tree.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line and key.</exception>
    public static FileCaptureOptions FromConfiguration(ConfigNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        ConfigNode? section = root[FileCapturePlugin.Name];
        if (section is null || (section.Kind == ConfigNodeKind.Scalar && section.Value is null))
        {
            return new FileCaptureOptions();
        }

        if (section.Kind != ConfigNodeKind.Mapping)
        {
            throw section.Error("expected a mapping of settings (batch-size)");
        }

        return new FileCaptureOptions { BatchSize = (int)section.GetInt64("batch-size", DefaultBatchSize, 1, MaxBatchSize) };
    }
}
