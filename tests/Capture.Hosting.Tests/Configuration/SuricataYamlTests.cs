using Capture.Abstractions;
using Capture.Hosting.Configuration;

namespace Capture.Hosting.Tests.Configuration;

public sealed class SuricataYamlTests : IDisposable
{
    private readonly YamlFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Suricata_header_is_accepted_and_every_node_knows_file_and_line()
    {
        string path = _files.Write("suricata.yaml", """
            %YAML 1.1
            ---
            # comment
            flow:
              hash-size: 131072
              prealloc: 20000
            af-packet:
              - interface: eth0
                threads: 4
              - interface: default
            rule-files:
              - a.rules
            """);

        ConfigNode root = SuricataYaml.Load(path);

        ConfigNode hashSize = root.Find("flow.hash-size")!;
        Assert.Equal("131072", hashSize.Value);
        Assert.Equal(path, hashSize.File);
        Assert.Equal(5, hashSize.Line);
        Assert.Equal("flow.hash-size", hashSize.Path);
        ConfigNode threads = root.Find("af-packet.0.threads")!;
        Assert.Equal(9, threads.Line);
        Assert.Equal("af-packet.0.threads", threads.Path);
        Assert.Equal(10, root.Find("af-packet.1")!.Line);
        Assert.Equal("a.rules", root.Find("rule-files.0")!.Value);
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_the_alias_limit_naming_file_and_line()
    {
        // Nine levels of nine aliases: 9^9 (387 million) lists if expanded.
        var text = new System.Text.StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        string previous = "a";
        foreach (char level in "bcdefghi")
        {
            text.Append(level).Append(": &").Append(level).Append(" [")
                .Append(string.Join(", ", Enumerable.Repeat("*" + previous, 9))).Append("]\n");
            previous = level.ToString();
        }

        string path = _files.Write("bomb.yaml", text.ToString());

        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(path));
        Assert.Contains("aliases expand to more than 100,000 nodes", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.File);
        Assert.InRange(error.Line, 2, 9);
        Assert.Contains(error.Key![..1], "bcdefghi", StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_within_the_limit_copy_their_anchor_with_their_own_paths()
    {
        string path = _files.Write("alias.yaml", """
            defaults: &defaults
              new: 30
              established: 300
            flow-timeouts:
              tcp: *defaults
              udp: *defaults
            """);

        ConfigNode root = SuricataYaml.Load(path);

        Assert.Equal("300", root.Find("flow-timeouts.udp.established")!.Value);
        Assert.Equal("flow-timeouts.udp.established", root.Find("flow-timeouts.udp.established")!.Path);
        Assert.Equal("flow-timeouts.tcp.new", root.Find("flow-timeouts.tcp.new")!.Path);
        Assert.Equal(6, root.Find("flow-timeouts.udp.established")!.Line);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        int depth = SuricataYaml.MaxDepth + 5;
        string path = _files.Write("deep.yaml", "a: " + new string('[', depth) + new string(']', depth) + "\n");

        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(path));
        Assert.Contains($"nested deeper than {SuricataYaml.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_four_megabyte_file_with_a_large_mapping_loads_every_key()
    {
        // 100,000 keys in one mapping, 4 MB: a key lookup per key was linear, the load quadratic.
        var text = new System.Text.StringBuilder("vars:\n  address-groups:\n");
        const int keys = 100_000;
        for (int i = 0; i < keys; i++)
        {
            text.Append("    GROUP_").Append(i).Append(": \"[10.").Append(i % 256).Append('.').Append((i / 256) % 256).Append(".0/24]\"\n");
        }

        string path = _files.Write("large.yaml", text.ToString());
        Assert.True(new FileInfo(path).Length > 3_500_000);

        ConfigNode groups = SuricataYaml.Load(path).Find("vars.address-groups")!;

        Assert.Equal(keys, groups.Entries.Count);
        Assert.Equal("[10.99.0.0/24]", groups["GROUP_99"]!.Value);
        Assert.Equal("GROUP_7", groups.Entries[7].Key);
        Assert.Equal(keys + 2, groups["GROUP_99999"]!.Line);
    }

    [Fact]
    public void Empty_values_are_null()
    {
        ConfigNode root = SuricataYaml.Parse("a:\nb: ~\nc: ''\n", "t.yaml");
        Assert.Null(root["a"]!.Value);
        Assert.Null(root["b"]!.Value);
        Assert.Equal(string.Empty, root["c"]!.Value);
    }

    [Fact]
    public void Include_merges_a_file_and_later_keys_override_it()
    {
        string included = _files.Write("flow.yaml", "flow:\n  hash-size: 1024\n  prealloc: 5\nstats:\n  interval: 3\n");
        string main = _files.Write("main.yaml", "include: flow.yaml\nstats:\n  interval: 9\n");

        ConfigNode root = SuricataYaml.Load(main);

        ConfigNode hashSize = root.Find("flow.hash-size")!;
        Assert.Equal("1024", hashSize.Value);
        Assert.Equal(included, hashSize.File);
        Assert.Equal(2, hashSize.Line);
        Assert.Equal("9", root.Find("stats.interval")!.Value);
        Assert.Null(root["include"]);
    }

    [Fact]
    public void Include_loop_is_reported()
    {
        _files.Write("a.yaml", "include: b.yaml\n");
        string b = _files.Write("b.yaml", "include: a.yaml\n");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(b));
        Assert.Contains("include loop", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_names_file_line_and_key()
    {
        string path = _files.Write("broken.yaml", """
            flow:
              hash-size: 65536
            stats:
              enabled: yes
              interval: [8
            outputs: []
            """);

        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(path));

        Assert.StartsWith($"{path}:", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.File);
        Assert.InRange(error.Line, 5, 6);
        Assert.Contains("stats", error.Message, StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_indentation_names_file_line_and_enclosing_key()
    {
        string path = _files.Write("indent.yaml", "flow:\n  hash-size: 65536\n prealloc: 10\n");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(path));
        Assert.Equal(path, error.File);
        Assert.Equal(3, error.Line);
        Assert.Contains("flow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        string path = Path.Combine(_files.Directory, "absent.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => SuricataYaml.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }
}
