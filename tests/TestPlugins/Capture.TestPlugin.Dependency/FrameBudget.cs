using Capture.Abstractions;

namespace Capture.TestPlugin.Dependency;

/// <summary>Reads how many frames the dependent plugin's sources deliver.</summary>
public static class FrameBudget
{
    /// <summary>The <c>with-dependency.frames</c> setting, default 10.</summary>
    /// <param name="root">The configuration root.</param>
    /// <returns>Frames.</returns>
    public static int Read(ConfigNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return (int)(root["with-dependency"]?.GetInt64("frames", 10, 0, 1000) ?? 10);
    }
}
