using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Plugins;

/// <summary>Log messages of plugin loading.</summary>
internal static partial class PluginLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Searching for capture plugins in {Root}")]
    public static partial void SearchingRoot(ILogger logger, string root);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Skipping {Directory}: no plugin.json")]
    public static partial void SkippingDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Loaded capture plugin {Name} {PluginVersion} (contract {ContractVersion}, {Capabilities}) from {Directory}")]
    public static partial void Loaded(ILogger logger, string name, Version pluginVersion, Version contractVersion, string capabilities, string directory);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Capture plugin skipped: {Reason}")]
    public static partial void Skipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Capture plugin {Name} registered its services")]
    public static partial void Registered(ILogger logger, string name);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "Default plugin root {Root} does not exist; skipped")]
    public static partial void DefaultRootMissing(ILogger logger, string root);
}
