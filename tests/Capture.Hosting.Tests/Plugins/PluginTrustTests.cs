using Capture.Hosting.Plugins;
using Capture.Tests.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Tests.Plugins;

/// <summary>
/// The trust policy, on real files with real modes and owners: a root, a plugin directory, every
/// file in it and every ancestor owned by root or the running user and not writable by others;
/// no sticky plugin directories; no plugin name twice. Each refusal is one line naming the path.
/// </summary>
public sealed class PluginTrustTests : IDisposable
{
    private readonly PluginSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void A_copy_laid_out_like_a_umask_022_install_loads()
    {
        string root = _sandbox.Directory("plugins");
        string directory = PluginSandbox.AddTo(root, "synthetic");
        Assert.Equal(directory, Assert.Single(Load(root)).Directory);
    }

    [Theory]
    [InlineData("777", "is writable by all users (mode 777)")]
    [InlineData("775", "is writable by its group (mode 775)")]
    [InlineData("1777", "is sticky (mode 1777)")]
    [InlineData("1755", "is sticky (mode 1755)")]
    public void A_plugin_root_others_can_add_to_is_refused(string mode, string cause)
    {
        string root = _sandbox.Directory("plugins");
        PluginSandbox.AddTo(root, "synthetic");
        File.SetUnixFileMode(root, PluginFiles.Mode(mode));
        Refused(root, $"plugin root {root} {cause}", "refusing");
    }

    [Fact]
    public void A_plugin_root_owned_by_another_user_is_refused()
    {
        string root = _sandbox.Directory("plugins");
        PluginSandbox.AddTo(root, "synthetic");
        PluginFiles.ChangeOwner(root, PluginFiles.Nobody);
        Refused(root, $"plugin root {root} is owned by uid 65534 (nobody), not by root", $"chown root {root}");
    }

    [Theory]
    [InlineData("777", "is writable by all users (mode 777)")]
    [InlineData("775", "is writable by its group (mode 775)")]
    [InlineData("1777", "is sticky (mode 1777)")]
    [InlineData("1755", "is sticky (mode 1755)")]
    public void A_plugin_directory_others_can_write_is_refused(string mode, string cause)
    {
        string directory = _sandbox.Add("synthetic");
        File.SetUnixFileMode(directory, PluginFiles.Mode(mode));
        CapturePluginException error = Refused(_sandbox.Root, $"plugin directory {directory} {cause}");
        Assert.Equal("synthetic", error.PluginName);
        Assert.Equal(directory, error.Directory);
    }

    [Fact]
    public void A_plugin_directory_given_directly_is_checked_as_a_plugin_directory()
    {
        string directory = _sandbox.Add("synthetic");
        File.SetUnixFileMode(directory, PluginFiles.Mode("1777"));
        Refused(directory, $"plugin directory {directory} is sticky");
    }

    [Fact]
    public void A_plugin_directory_owned_by_another_user_is_refused()
    {
        string directory = _sandbox.Add("synthetic");
        PluginFiles.ChangeOwner(directory, PluginFiles.Nobody);
        Refused(_sandbox.Root, $"plugin directory {directory} is owned by uid 65534 (nobody)");
    }

    [Theory]
    [InlineData("plugin.json", "manifest")]
    [InlineData("Capture.TestPlugin.deps.json", "dependency manifest")]
    [InlineData("Capture.TestPlugin.dll", "assembly")]
    [InlineData("runtimes/linux-x64/native/libsynthz.so", "native library")]
    [InlineData("xdp_bypass.o", "BPF object")]
    public void A_group_writable_plugin_file_is_refused(string relative, string kind)
    {
        string directory = _sandbox.Add("synthetic");
        string file = Place(directory, relative);
        File.SetUnixFileMode(file, PluginFiles.Mode("664"));
        Refused(_sandbox.Root, $"{kind} {file} is writable by its group (mode 664)", $"chmod go-w {file}");
    }

    [Theory]
    [InlineData("Capture.TestPlugin.dll", "assembly")]
    [InlineData("xdp_bypass.o", "BPF object")]
    public void A_plugin_file_owned_by_another_user_is_refused(string relative, string kind)
    {
        string directory = _sandbox.Add("synthetic");
        string file = Place(directory, relative);
        PluginFiles.ChangeOwner(file, PluginFiles.Nobody);
        Refused(_sandbox.Root, $"{kind} {file} is owned by uid 65534 (nobody)");
    }

    [Fact]
    public void A_writable_directory_inside_a_plugin_is_refused()
    {
        string directory = _sandbox.Add("synthetic");
        string native = Path.GetDirectoryName(Place(directory, "runtimes/linux-x64/native/libsynthz.so"))!;
        File.SetUnixFileMode(native, PluginFiles.Mode("777"));
        Refused(_sandbox.Root, $"directory {native} is writable by all users");
    }

    [Fact]
    public void A_777_parent_of_the_root_is_refused()
    {
        string parent = _sandbox.Directory("shared");
        string root = _sandbox.Directory("shared/plugins");
        PluginSandbox.AddTo(root, "synthetic");
        File.SetUnixFileMode(parent, PluginFiles.Mode("777"));
        Refused(root, $"parent directory {parent} is writable by all users (mode 777) and not sticky, so others can replace {root}", $"chmod go-w {parent}");
    }

    [Fact]
    public void Every_ancestor_is_checked_not_only_the_first()
    {
        string grandparent = _sandbox.Directory("a");
        _sandbox.Directory("a/b");
        string root = _sandbox.Directory("a/b/plugins");
        PluginSandbox.AddTo(root, "synthetic");
        File.SetUnixFileMode(grandparent, PluginFiles.Mode("777"));
        Refused(root, $"parent directory {grandparent} is writable by all users");
    }

    [Fact]
    public void A_parent_owned_by_another_user_is_refused()
    {
        string parent = _sandbox.Directory("theirs");
        string root = _sandbox.Directory("theirs/plugins");
        PluginSandbox.AddTo(root, "synthetic");
        PluginFiles.ChangeOwner(parent, PluginFiles.Nobody);
        Refused(root, $"parent directory {parent} is owned by uid 65534 (nobody)");
    }

    [Fact]
    public void A_sticky_parent_like_tmp_is_accepted_because_others_cannot_replace_what_we_own_in_it()
    {
        string directory = _sandbox.Add("synthetic");
        File.SetUnixFileMode(_sandbox.Root, PluginFiles.Mode("1777"));
        Assert.Equal(directory, Assert.Single(Load(directory)).Directory);
    }

    [Fact]
    public void A_root_reached_through_a_symbolic_link_is_checked_where_it_points()
    {
        string real = _sandbox.Directory("real");
        PluginSandbox.AddTo(real, "synthetic");
        string link = Path.Combine(_sandbox.Root, "link");
        File.CreateSymbolicLink(link, real);
        File.SetUnixFileMode(real, PluginFiles.Mode("777"));
        Refused(link, $"plugin root {real} is writable by all users");
    }

    [Fact]
    public void A_symbolic_link_to_a_writable_file_is_refused()
    {
        string directory = _sandbox.Add("synthetic");
        string outside = PluginFiles.Write(Path.Combine(_sandbox.Directory("elsewhere"), "libsynthz.so"), "not really a library", PluginFiles.Mode("666"));
        string link = Path.Combine(directory, "libsynthz.so");
        File.CreateSymbolicLink(link, outside);
        Refused(_sandbox.Root, $"native library {outside} is writable by all users");
    }

    [Fact]
    public void The_same_plugin_in_two_roots_is_refused_naming_both()
    {
        string first = PluginSandbox.AddTo(_sandbox.Directory("one"), "synthetic");
        string second = PluginSandbox.AddTo(_sandbox.Directory("two"), "synthetic", "copy");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { Path.GetDirectoryName(first)!, Path.GetDirectoryName(second)! } };
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new CapturePluginLoader(options).Load());
        Assert.Equal($"capture plugin 'synthetic': is in 2 plugin directories, {first} and {second}; a plugin name must be unique across the plugin roots. Remove all but one", error.Message);
    }

    [Fact]
    public void Two_versions_of_a_plugin_are_refused_too()
    {
        string older = _sandbox.Add("synthetic");
        string newer = _sandbox.Add("synthetic-newer");
        Refused(_sandbox.Root, "'synthetic': is in 2 plugin directories", older, newer);
    }

    [Fact]
    public void A_root_given_twice_or_with_one_of_its_plugins_is_not_a_duplicate()
    {
        string directory = _sandbox.Add("synthetic");
        Assert.Equal(directory, Assert.Single(Load(_sandbox.Root, _sandbox.Root + "/", directory)).Directory);
    }

    [Fact]
    public void A_refused_optional_plugin_still_stops_the_load()
    {
        string directory = _sandbox.Add("synthetic");
        File.SetUnixFileMode(Path.Combine(directory, "Capture.TestPlugin.dll"), PluginFiles.Mode("666"));
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { _sandbox.Root }, RequiredPlugins = ["other"] };
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new CapturePluginLoader(options).Load());
        Assert.Contains("writable by all users", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_optional_plugin_is_skipped_and_named_when_asked_for()
    {
        _sandbox.Add("with-dependency");
        string broken = _sandbox.Add("synthetic");
        File.Delete(Path.Combine(broken, "Capture.TestPlugin.dll"));
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { _sandbox.Root }, RequiredPlugins = ["with-dependency"] };
        var services = new ServiceCollection();
        services.AddCapturePlugins(options);
        using ServiceProvider provider = services.BuildServiceProvider();

        CapturePluginCatalog catalog = provider.GetRequiredService<CapturePluginCatalog>();
        Assert.Equal("with-dependency", Assert.Single(catalog.Plugins).Name);
        Assert.Contains("entry assembly Capture.TestPlugin.dll", Assert.Single(catalog.Failures).Message, StringComparison.Ordinal);
        Assert.Equal(
            $"capture plugin 'synthetic' is not available; loaded plugins: with-dependency (searched {_sandbox.Root}; failed to load: synthetic). Add its directory with --plugin-dir or the 'plugins:' list",
            catalog.DescribeMissing("synthetic"));
    }

    private static IReadOnlyList<LoadedCapturePlugin> Load(params string[] roots)
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false };
        foreach (string root in roots)
        {
            options.PluginRoots.Add(root);
        }

        return new CapturePluginLoader(options).Load();
    }

    private static CapturePluginException Refused(string root, params string[] parts)
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { root } };
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new CapturePluginLoader(options).Load());
        Assert.DoesNotContain('\n', error.Message);
        foreach (string part in parts)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        return error;
    }

    /// <summary>Puts a file at <paramref name="relative"/> in the plugin (creating it and its directories, 0644/0755, when the build does not ship one).</summary>
    private static string Place(string directory, string relative)
    {
        string current = directory;
        foreach (string part in Path.GetDirectoryName(relative)!.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (!System.IO.Directory.Exists(current))
            {
                System.IO.Directory.CreateDirectory(current);
                File.SetUnixFileMode(current, PluginFiles.DirectoryMode);
            }
        }

        string file = Path.Combine(directory, relative);
        return File.Exists(file) ? file : PluginFiles.Write(file, "placed by the test", PluginFiles.FileMode);
    }
}
