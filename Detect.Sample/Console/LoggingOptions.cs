using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>
/// Suricata's <c>logging:</c> section as this host honours it: the console's level, and the file
/// output (suricata.log) with its level, name, line format or JSON. Syslog is not written.
/// </summary>
internal sealed record LoggingOptions
{
    /// <summary>Suricata 7's line format of the file output.</summary>
    public const string DefaultFileFormat = "[%i - %m] %z %d: %S: %M";

    /// <summary>Whether entries go to standard error (off only when the file output is on: with no output at all Suricata logs to the console).</summary>
    public bool Console { get; init; } = true;

    /// <summary>The lowest level the console writes.</summary>
    public LogLevel ConsoleLevel { get; init; } = LogLevel.Warning;

    /// <summary>Whether suricata.log is written.</summary>
    public bool File { get; init; }

    /// <summary>The lowest level the file gets.</summary>
    public LogLevel FileLevel { get; init; } = LogLevel.Information;

    /// <summary>A plain file name inside the log directory.</summary>
    public string FileName { get; init; } = "suricata.log";

    /// <summary><c>type: json</c>: one engine event per line, as Suricata's JSON log.</summary>
    public bool FileJson { get; init; }

    /// <summary>The line format of a regular file (Suricata's <c>%</c> codes).</summary>
    public string FileFormat { get; init; } = DefaultFileFormat;

    /// <summary>The enabled syslog output (not written here), for its one warning; null when none.</summary>
    public ConfigNode? Syslog { get; init; }

    /// <summary>Reads <c>logging:</c>; absent, the console alone at <c>notice</c>, as Suricata.</summary>
    /// <param name="root">The configuration.</param>
    /// <param name="verbosity">How many <c>-v</c>: each raises the default level one step (info, config, debug), as Suricata's.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigurationException">A level, a type or the file name cannot be honoured.</exception>
    public static LoggingOptions Read(ConfigNode root, int verbosity)
    {
        ConfigNode? logging = root["logging"] is { Kind: ConfigNodeKind.Mapping } node ? node : null;
        LogLevel level = Level(logging, "default-log-level") ?? LogLevel.Warning;
        LogLevel raised = verbosity switch
        {
            <= 0 => LogLevel.None,
            1 => LogLevel.Information,
            2 => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        level = raised < level ? raised : level;
        var options = new LoggingOptions { ConsoleLevel = level, FileLevel = level };
        if (logging?["outputs"] is not { Kind: ConfigNodeKind.Sequence } outputs)
        {
            return options;
        }

        ConfigNode? console = Output(outputs, "console");
        ConfigNode? file = Output(outputs, "file");
        ConfigNode? syslog = Output(outputs, "syslog");
        bool consoleOn = console is not null && console.GetBoolean("enabled", true);
        bool fileOn = file is not null && file.GetBoolean("enabled", false);
        if (fileOn && file!["filename"] is { } name && LogFileName.Problem(name.AsText() ?? string.Empty) is { } problem)
        {
            throw name.Error(problem);
        }

        return options with
        {
            // Suricata: with every output off (or none), the console.
            Console = consoleOn || !fileOn,
            ConsoleLevel = Level(console, "level") ?? level,
            File = fileOn,
            FileLevel = Level(file, "level") ?? level,
            FileName = file?.GetString("filename")?.Trim() is { Length: > 0 } fileName ? fileName : "suricata.log",
            FileJson = fileOn && string.Equals(file!.GetChoice("type", "regular", "regular", "json"), "json", StringComparison.Ordinal),
            FileFormat = file?.GetString("format") is { } format && !string.IsNullOrWhiteSpace(format) ? format : DefaultFileFormat,
            Syslog = syslog is not null && syslog.GetBoolean("enabled", false) ? syslog : null,
        };
    }

    private static ConfigNode? Output(ConfigNode outputs, string name)
    {
        foreach (ConfigNode item in outputs.Items)
        {
            if (item[name] is { } node)
            {
                return node.Kind == ConfigNodeKind.Mapping ? node : throw node.Error("expected a mapping of settings (enabled: yes, ...)");
            }
        }

        return null;
    }

    private static LogLevel? Level(ConfigNode? node, string key) =>
        node?[key] is { } value && value.AsText() is not null
            ? SuricataLogLevel.Minimum(node.GetChoice(key, "notice", SuricataLogLevel.Names))
            : null;
}
