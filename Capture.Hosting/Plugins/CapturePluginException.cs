namespace Capture.Hosting.Plugins;

/// <summary>
/// A capture plugin could not be found, loaded, version-checked or registered. The message names
/// the plugin (its manifest name, or its directory before the manifest is read) and the cause.
/// </summary>
public sealed class CapturePluginException : Exception
{
    /// <summary>Creates an exception.</summary>
    public CapturePluginException()
    {
    }

    /// <summary>Creates an exception with a ready message.</summary>
    /// <param name="message">The message.</param>
    public CapturePluginException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a ready message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CapturePluginException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about one plugin.</summary>
    /// <param name="pluginName">The plugin's name, when known.</param>
    /// <param name="directory">The plugin's directory, when known.</param>
    /// <param name="cause">What went wrong and, where it helps, what to do.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    public CapturePluginException(string? pluginName, string? directory, string cause, Exception? innerException = null)
        : base(Format(pluginName, directory, cause), innerException)
    {
        PluginName = pluginName;
        Directory = directory;
    }

    /// <summary>The plugin's name, when known.</summary>
    public string? PluginName { get; }

    /// <summary>The plugin's directory, when known.</summary>
    public string? Directory { get; }

    private static string Format(string? pluginName, string? directory, string cause) => (pluginName, directory) switch
    {
        (not null, not null) => $"capture plugin '{pluginName}' ({directory}): {cause}",
        (not null, null) => $"capture plugin '{pluginName}': {cause}",
        (null, not null) => $"capture plugin in {directory}: {cause}",
        _ => $"capture plugins: {cause}",
    };
}
