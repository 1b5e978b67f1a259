using Capture.Abstractions;
using Capture.Hosting.Configuration;

namespace Detect.Sample.Output;

/// <summary>
/// A line-oriented log of Suricata's (<c>outputs: - fast:</c>, <c>- stats:</c>): its file in the log
/// directory, append or not, and for stats.log whether counters that are zero are written.
/// </summary>
internal sealed record TextLogOptions
{
    public required string FileName { get; init; }

    /// <summary>Append to an existing file (<c>append</c>, default yes); else it is emptied at the first write.</summary>
    public bool Append { get; init; } = true;

    /// <summary>stats.log's <c>null-values</c>: write counters that are zero (default no, as Suricata).</summary>
    public bool NullValues { get; init; }

    /// <summary>Reads the first enabled <paramref name="output"/> of <c>outputs:</c>.</summary>
    /// <param name="root">The configuration.</param>
    /// <param name="output">The output's name (<c>fast</c>, <c>stats</c>).</param>
    /// <param name="defaultFileName">Suricata's file name for it.</param>
    /// <returns>The options, or null when the output is absent or disabled.</returns>
    /// <exception cref="ConfigurationException">The file name or file type cannot be honoured.</exception>
    public static TextLogOptions? Read(ConfigNode root, string output, string defaultFileName)
    {
        if (root["outputs"] is not { Kind: ConfigNodeKind.Sequence } outputs)
        {
            return null;
        }

        foreach (ConfigNode item in outputs.Items)
        {
            if (item[output] is not { Kind: ConfigNodeKind.Mapping } node || !node.GetBoolean("enabled", false))
            {
                continue;
            }

            _ = node.GetChoice("filetype", "regular", "regular");
            string fileName = node.GetString("filename", defaultFileName) ?? defaultFileName;
            if (LogFileName.Problem(fileName) is { } problem)
            {
                throw node["filename"]!.Error(problem);
            }

            return new TextLogOptions
            {
                FileName = fileName,
                Append = node.GetBoolean("append", true),
                NullValues = node.GetBoolean("null-values", false),
            };
        }

        return null;
    }
}
