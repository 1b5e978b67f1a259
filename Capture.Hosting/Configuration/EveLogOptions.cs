namespace Capture.Hosting.Configuration;

/// <summary>The EVE JSON log (<c>outputs: - eve-log:</c>). Defaults are Suricata's.</summary>
public sealed class EveLogOptions
{
    /// <summary>
    /// Write the log (<c>enabled</c>). Yes when the configuration has no <c>outputs:</c> section;
    /// within <c>outputs:</c>, as in Suricata, an eve-log without <c>enabled: yes</c> is off, and
    /// no eve-log entry means no EVE log.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Output kind (<c>filetype</c>): <c>regular</c> (a file) or <c>redis</c>.</summary>
    public string FileType { get; set; } = "regular";

    /// <summary>The server and mode of a <c>filetype: redis</c> log (<c>redis:</c>); null for a file.</summary>
    public EveRedisOptions? Redis { get; set; }

    /// <summary>File name, relative to the log directory (<c>filename</c>). Default <c>eve.json</c>.</summary>
    public string FileName { get; set; } = "eve.json";

    /// <summary>Append to an existing file (<c>append</c>), as Suricata does by default; <c>no</c> empties it at the first event written.</summary>
    public bool Append { get; set; } = true;

    /// <summary>Permissions of a newly created file (<c>filemode</c>, octal, e.g. <c>640</c>), before the umask. Default 0640.</summary>
    public UnixFileMode FileMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>The longest time an event waits in the write buffer (<c>flush-interval</c>, seconds, 0 to 60). Default 1 s; 0: only when the buffer is full.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When a write fails (a full disk, an I/O error): stop the run cleanly (<c>write-error: stop</c>) or count the lost events and go on (<c>continue</c>, the default).</summary>
    public bool StopOnWriteError { get; set; }

    /// <summary>Add <c>community_id</c> to flow and alert records (<c>community-id</c>). Default no.</summary>
    public bool CommunityId { get; set; }

    /// <summary>Seed of the community id hash (<c>community-id-seed</c>, 0..65535). Default 0.</summary>
    public ushort CommunityIdSeed { get; set; }

    /// <summary>Add the Ethernet addresses to records (<c>ethernet</c>). Default no.</summary>
    public bool Ethernet { get; set; }

    /// <summary>Event types to write (<c>types</c>), lower case as Suricata spells them. Default alert, flow, stats.</summary>
    public IReadOnlyList<string> Types { get; set; } = ["alert", "flow", "stats"];

    /// <summary>Per-type settings given as <c>- alert: { ... }</c>, by type.</summary>
    public IReadOnlyDictionary<string, Capture.Abstractions.ConfigNode> TypeSettings { get; set; } =
        new Dictionary<string, Capture.Abstractions.ConfigNode>(StringComparer.Ordinal);

    /// <summary>Whether an event type is enabled.</summary>
    /// <param name="type">The type (<c>flow</c>, <c>alert</c>, <c>stats</c>, ...).</param>
    /// <returns>True when listed.</returns>
    public bool Writes(string type) => Enabled && Types.Contains(type, StringComparer.Ordinal);
}
