namespace Capture.Abstractions;

/// <summary>
/// A configuration value is wrong. The message names the file, the line, the key and what is
/// allowed, e.g. <c>suricata.yaml:12: af-packet.0.threads: 'many' is not allowed; expected an integer 1..1024 or 'auto'</c>.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates an exception.</summary>
    public ConfigurationException()
    {
    }

    /// <summary>Creates an exception with a ready message.</summary>
    /// <param name="message">The message.</param>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a ready message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a value at a known place.</summary>
    /// <param name="file">The file ("--set" for command-line overrides).</param>
    /// <param name="line">1-based line; 0 when unknown.</param>
    /// <param name="key">The dotted key path.</param>
    /// <param name="problem">What is wrong and what is allowed.</param>
    public ConfigurationException(string? file, int line, string key, string problem)
        : base($"{file ?? "<configuration>"}:{line}: {key}: {problem}")
    {
        File = file;
        Line = line;
        Key = key;
    }

    /// <summary>The file, when known.</summary>
    public string? File { get; }

    /// <summary>1-based line, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The dotted key path.</summary>
    public string? Key { get; }
}
