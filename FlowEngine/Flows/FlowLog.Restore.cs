using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>Log messages of flows restored from a capture that kept them across a restart.</summary>
internal static partial class FlowLog
{
    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Restored {Count} capture-bypassed flows on {Interface} from {Source} ({Skipped} skipped)")]
    public static partial void FlowsRestored(ILogger logger, int count, string @interface, string source, int skipped);
}
