using Capture.Abstractions;

namespace Capture.Hosting.Control;

/// <summary>The <c>unix-command:</c> section: whether to serve the control socket, where, and its connection limits.</summary>
public sealed class UnixCommandOptions
{
    /// <summary>Where relative file names go (Suricata's run directory).</summary>
    public const string DefaultDirectory = "/var/run/suricata";

    /// <summary>The socket file when none is configured.</summary>
    public const string DefaultFileName = "suricata-command.socket";

    /// <summary>Serve the control socket (<c>enabled: yes|no|auto</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary><c>enabled: auto</c>: as Suricata's, serve the socket only when capturing live, not when reading captures.</summary>
    public bool LiveOnly { get; set; }

    /// <summary>The socket file, absolute.</summary>
    public string FileName { get; set; } = System.IO.Path.Combine(DefaultDirectory, DefaultFileName);

    /// <summary>Idle and request timeouts and the connection limit (<c>idle-timeout</c>, <c>message-timeout</c>, <c>max-connections</c>).</summary>
    public ControlConnectionLimits Limits { get; set; } = ControlConnectionLimits.Default;

    /// <summary>Reads <c>unix-command</c> from the configuration root; absent means disabled.</summary>
    /// <param name="root">The configuration root.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line and key.</exception>
    public static UnixCommandOptions Read(ConfigNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var options = new UnixCommandOptions();
        ConfigNode? section = root["unix-command"];
        if (section is null)
        {
            return options;
        }

        if (section.Kind != ConfigNodeKind.Mapping)
        {
            throw section.Error("expected a mapping with 'enabled', 'filename', 'idle-timeout', 'message-timeout' and 'max-connections'");
        }

        string enabled = section.GetChoice("enabled", "no", "yes", "no", "auto", "true", "false", "on", "off");
        options.Enabled = enabled is "yes" or "auto" or "true" or "on";
        options.LiveOnly = enabled is "auto";
        string? file = section.GetString("filename");
        if (!string.IsNullOrWhiteSpace(file))
        {
            options.FileName = System.IO.Path.IsPathRooted(file) ? file : System.IO.Path.Combine(DefaultDirectory, file);
        }

        ControlConnectionLimits defaults = ControlConnectionLimits.Default;
        options.Limits = new ControlConnectionLimits
        {
            IdleTimeout = TimeSpan.FromSeconds(section.GetInt64("idle-timeout", (long)defaults.IdleTimeout.TotalSeconds, 1, 86400)),
            MessageTimeout = TimeSpan.FromSeconds(section.GetInt64("message-timeout", (long)defaults.MessageTimeout.TotalSeconds, 1, 3600)),
            MaxConnections = (int)section.GetInt64("max-connections", defaults.MaxConnections, 1, 1024),
        };
        return options;
    }
}
