namespace Capture.Abstractions;

/// <summary>Contract 2.0, as a future SDK would declare it (test-only build).</summary>
public static class CaptureContract
{
    /// <summary>Major version.</summary>
    public const int Major = 2;

    /// <summary>Minor version.</summary>
    public const int Minor = 0;

    /// <summary>The contract version of this SDK build.</summary>
    public static Version Current { get; } = new(Major, Minor);

    /// <summary>Same rule as contract 1: equal majors, host minor at least the plugin's.</summary>
    /// <param name="host">Host version.</param>
    /// <param name="plugin">Plugin version.</param>
    /// <param name="reason">Why not.</param>
    /// <returns>True when compatible.</returns>
    public static bool IsCompatible(Version host, Version plugin, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(plugin);
        reason = host.Major != plugin.Major || host.Minor < plugin.Minor ? $"host {host} cannot run plugin {plugin}" : null;
        return reason is null;
    }
}
