namespace Capture.Verify.Tests;

/// <summary>
/// Modern Suricata's default configuration (<c>suricata.yaml.in</c>) with its <c>@...@</c>
/// placeholders filled the way <c>configure</c> fills them for a build without PF_RING, Napatech,
/// nDPI or libmagic (those lines stay comments): the file a suricata-verify test without its own
/// suricata.yaml runs with.
/// </summary>
internal static class DefaultSuricataYaml
{
    /// <summary>Writes the filled file into <paramref name="directory"/> (its paths point below it) and returns its path.</summary>
    public static string Write(string directory)
    {
        string template = File.ReadAllText(Path.Combine(SuricataVerifyFolder.Directory, "suricata.yaml.in"));
        string Under(string name) => Path.Combine(directory, name) + "/";
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["@PACKAGE_VERSION@"] = "9.0.0-dev",
            ["@MAJOR_MINOR@"] = "9.0",
            ["@PACKAGE_NAME@"] = "suricata",
            ["@prefix@"] = "/usr",
            ["@e_logdir@"] = Under("log"),
            ["@e_rundir@"] = Under("run"),
            ["@e_sysconfdir@"] = Under("etc"),
            ["@e_defaultruledir@"] = Under("rules"),
            ["@e_sghcachedir@"] = Under("sgh-cache"),
            ["@e_magic_file@"] = "/usr/share/misc/magic.mgc",
            ["@e_magic_file_comment@"] = "#",
            ["@pfring_comment@"] = "#",
            ["@napatech_comment@"] = "#",
            ["@ndpi_comment@"] = "#",
        };
        string text = values.Aggregate(template, (t, p) => t.Replace(p.Key, p.Value, StringComparison.Ordinal));
        int left = text.IndexOf("@e_", StringComparison.Ordinal);
        if (left >= 0)
        {
            throw new InvalidDataException($"suricata.yaml.in has a placeholder the runner does not fill: {text.Substring(left, Math.Min(30, text.Length - left))}");
        }

        string path = Path.Combine(directory, "suricata.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
