namespace Capture.Abstractions;

/// <summary>
/// The version of the capture contract (this SDK). A plugin records the version it was built
/// against; the host and the plugin each check the other's before the plugin is activated.
/// </summary>
/// <remarks>
/// Compatibility rule: the major versions are equal and the host's minor version is at least
/// the plugin's. <see cref="Major"/> and <see cref="Minor"/> are constants, so a plugin that
/// uses them bakes in the version it was compiled against; <see cref="Current"/> is read at run
/// time from the SDK assembly the host loaded.
/// </remarks>
public static class CaptureContract
{
    /// <summary>Major version: changes when a contract type changes incompatibly.</summary>
    public const int Major = 1;

    /// <summary>Minor version: changes when members are added compatibly.</summary>
    public const int Minor = 1;

    /// <summary>The contract version of the SDK assembly loaded in this process (the host's).</summary>
    public static Version Current { get; } = new(Major, Minor);

    /// <summary>
    /// Whether a host offering <paramref name="host"/> can run a plugin built against
    /// <paramref name="plugin"/>.
    /// </summary>
    /// <param name="host">The contract version the host offers.</param>
    /// <param name="plugin">The contract version the plugin was built against.</param>
    /// <param name="reason">Why not, when the result is false.</param>
    /// <returns>True when compatible.</returns>
    public static bool IsCompatible(Version host, Version plugin, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(plugin);
        if (host.Major != plugin.Major)
        {
            reason = $"contract major version differs: host offers {host.Major}.{host.Minor}, plugin was built against {plugin.Major}.{plugin.Minor}";
            return false;
        }

        if (host.Minor < plugin.Minor)
        {
            reason = $"plugin needs contract {plugin.Major}.{plugin.Minor} but the host offers only {host.Major}.{host.Minor}; upgrade the host";
            return false;
        }

        reason = null;
        return true;
    }
}
