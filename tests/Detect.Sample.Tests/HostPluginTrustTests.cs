using Capture.Tests.Plugins;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>
/// The built host, run as a process, refuses plugins the trust policy refuses, whether the
/// plugin root comes from <c>--plugin-dir</c> or from the YAML <c>plugins:</c> list: one line on
/// stderr naming the path and what is wrong, exit code 2, no capture.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostPluginTrustTests : IDisposable
{
    private readonly string _work = PluginFiles.CreatePrivateDirectory("detect-plugins-");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Sources => ["--plugin-dir", "plugins:"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_world_writable_plugin_root_is_refused(string source)
    {
        string root = Root("plugins", "pcap-file");
        File.SetUnixFileMode(root, PluginFiles.Mode("777"));
        Refused(source, root, $"plugin root {root} is writable by all users (mode 777)");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_sticky_plugin_root_is_refused(string source)
    {
        string root = Root("plugins", "pcap-file");
        File.SetUnixFileMode(root, PluginFiles.Mode("1777"));
        Refused(source, root, $"plugin root {root} is sticky (mode 1777)");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_world_writable_plugin_directory_is_refused(string source)
    {
        string root = Root("plugins", "pcap-file");
        string directory = Path.Combine(root, "pcap-file");
        File.SetUnixFileMode(directory, PluginFiles.Mode("777"));
        Refused(source, root, $"plugin directory {directory} is writable by all users (mode 777)");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_sticky_plugin_directory_given_directly_is_refused(string source)
    {
        string directory = Path.Combine(Root("plugins", "pcap-file"), "pcap-file");
        File.SetUnixFileMode(directory, PluginFiles.Mode("1777"));
        Refused(source, directory, $"plugin directory {directory} is sticky (mode 1777)");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_plugin_directory_owned_by_another_user_is_refused(string source)
    {
        string root = Root("plugins", "pcap-file");
        string directory = Path.Combine(root, "pcap-file");
        PluginFiles.ChangeOwner(directory, PluginFiles.Nobody);
        Refused(source, root, $"plugin directory {directory} is owned by uid 65534 (nobody), not by root");
    }

    [Theory]
    [InlineData("--plugin-dir", "pcap-file", "Capture.Pcap.deps.json", "dependency manifest")]
    [InlineData("plugins:", "pcap-file", "Capture.Pcap.deps.json", "dependency manifest")]
    [InlineData("--plugin-dir", "pcap-file", "Capture.Pcap.dll", "assembly")]
    [InlineData("plugins:", "pcap-file", "Capture.Pcap.dll", "assembly")]
    [InlineData("--plugin-dir", "af-packet", "xdp_bypass.o", "BPF object")]
    [InlineData("plugins:", "af-packet", "xdp_bypass.o", "BPF object")]
    public void A_group_writable_plugin_file_is_refused(string source, string plugin, string file, string kind)
    {
        string root = Root("plugins", plugin);
        string path = Path.Combine(root, plugin, file);
        Assert.True(File.Exists(path), $"the built {plugin} plugin has no {file}");
        File.SetUnixFileMode(path, PluginFiles.Mode("664"));
        Refused(source, root, $"{kind} {path} is writable by its group (mode 664)");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_777_parent_is_refused(string source)
    {
        string parent = Path.Combine(_work, "shared");
        Directory.CreateDirectory(parent);
        string root = Root(Path.Combine("shared", "plugins"), "pcap-file");
        File.SetUnixFileMode(parent, PluginFiles.Mode("777"));
        Refused(source, root, $"parent directory {parent} is writable by all users (mode 777) and not sticky");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void A_plugin_also_in_the_default_root_is_refused_naming_both(string source)
    {
        // The copy itself passes the policy: what stops the run is the name found twice.
        string root = Root("plugins", "pcap-file");
        string shipped = Path.Combine(DetectHostProcess.OutputDirectory, "plugins", "pcap-file");
        Refused(source, root, $"capture plugin 'pcap-file': is in 2 plugin directories, {shipped} and {Path.Combine(root, "pcap-file")}");
    }

    /// <summary>A plugin root under the private work directory holding a copy of a built plugin.</summary>
    private string Root(string relative, string plugin)
    {
        string root = Path.Combine(_work, relative);
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, PluginFiles.DirectoryMode);
        PluginFiles.Copy(Path.Combine(DetectHostProcess.OutputDirectory, "plugins", plugin), Path.Combine(root, plugin));
        return root;
    }

    private void Refused(string source, string root, string expected)
    {
        string logs = Path.Combine(_work, "logs");
        HostResult result = source == "--plugin-dir"
            ? DetectHostProcess.Run("--plugin-dir", root, "-l", logs)
            : DetectHostProcess.Run("-c", PluginFiles.Write(Path.Combine(_work, "plugins.yaml"), $"%YAML 1.1\n---\nplugins:\n  - {root}\n", PluginFiles.FileMode), "-l", logs);

        Assert.True(result.ExitCode == 2, result.ToString());
        string line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Detect.Sample: plugin error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(logs, "eve.json")), "a refused plugin must stop the run before it captures");
    }
}
