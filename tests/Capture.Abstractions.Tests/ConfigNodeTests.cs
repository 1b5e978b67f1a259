using Capture.Abstractions;

namespace Capture.Abstractions.Tests;

public sealed class ConfigNodeTests
{
    private static ConfigNode Mapping(params (string Key, string? Value, int Line)[] entries)
    {
        ConfigNode root = ConfigNode.CreateMapping("af-packet.0", "capture.yaml", 1);
        foreach ((string key, string? value, int line) in entries)
        {
            root.Set(key, ConfigNode.CreateScalar($"af-packet.0.{key}", value, "capture.yaml", line));
        }

        return root;
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("FALSE", false)]
    [InlineData("disabled", false)]
    public void Booleans_are_read_as_suricata_spells_them(string text, bool expected) =>
        Assert.Equal(expected, Mapping(("bypass", text, 4)).GetBoolean("bypass", !expected));

    [Fact]
    public void A_large_mapping_keeps_file_order_and_replaces_a_key_in_place()
    {
        ConfigNode root = ConfigNode.CreateMapping();
        for (int i = 0; i < 20; i++)
        {
            root.Set($"k{i}", ConfigNode.CreateScalar($"k{i}", $"v{i}"));
        }

        root.Set("k3", ConfigNode.CreateScalar("k3", "again"));
        root.Set("k12", ConfigNode.CreateScalar("k12", "again"));

        Assert.Equal(20, root.Entries.Count);
        Assert.Equal("k3", root.Entries[3].Key);
        Assert.Equal("again", root["k3"]!.Value);
        Assert.Equal("again", root.Entries[12].Value.Value);
        Assert.Equal("v19", root["k19"]!.Value);
        Assert.Null(root["k20"]);
    }

    [Fact]
    public void A_bad_boolean_names_file_line_key_and_what_is_allowed()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Mapping(("bypass", "maybe", 7)).GetBoolean("bypass", false));

        Assert.Equal("capture.yaml", error.File);
        Assert.Equal(7, error.Line);
        Assert.Equal("af-packet.0.bypass", error.Key);
        Assert.StartsWith("capture.yaml:7: af-packet.0.bypass: 'maybe' is not allowed; expected yes or no", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("64kb", 65536L)]
    [InlineData("128mb", 128L << 20)]
    [InlineData("1gb", 1L << 30)]
    [InlineData("1.5kb", 1536L)]
    [InlineData("32 MiB", 32L << 20)]
    public void Sizes_take_suffixes_in_powers_of_1024(string text, long bytes) =>
        Assert.Equal(bytes, Mapping(("buffer-size", text, 3)).GetSize("buffer-size", 0));

    [Fact]
    public void Integers_out_of_range_say_the_range()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Mapping(("threads", "0", 9)).GetInt64("threads", 1, 1, 1024));

        Assert.Contains("capture.yaml:9: af-packet.0.threads: 0 is out of range; expected an integer 1..1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choices_are_case_insensitive_and_list_the_allowed_values()
    {
        ConfigNode node = Mapping(("xdp-mode", "DRIVER", 5), ("cluster-type", "cluster_magic", 6));

        Assert.Equal("driver", node.GetChoice("xdp-mode", "soft", "soft", "driver", "hw"));
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => node.GetChoice("cluster-type", "cluster_flow", "cluster_flow", "cluster_qm"));
        Assert.Contains("expected one of: cluster_flow, cluster_qm", error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Absent_keys_give_the_default_and_lists_are_not_scalars()
    {
        ConfigNode root = ConfigNode.CreateMapping(string.Empty, "capture.yaml", 1);
        ConfigNode list = ConfigNode.CreateSequence("plugins", "capture.yaml", 2);
        list.Add(ConfigNode.CreateScalar("plugins.0", "/opt/plugins", "capture.yaml", 3));
        root.Set("plugins", list);

        Assert.Equal("fallback", root.GetString("missing", "fallback"));
        Assert.Equal(42, root.GetInt64("missing", 42));
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => root.GetString("plugins"));
        Assert.Contains("expected a single value, found a list", error.Message, StringComparison.Ordinal);
        Assert.Equal("/opt/plugins", root.Find("plugins.0")!.Value);
        Assert.Null(root.Find("plugins.1"));
    }

    [Fact]
    public void Set_replaces_an_existing_key_in_place()
    {
        ConfigNode node = Mapping(("threads", "2", 3), ("bypass", "yes", 4));
        node.Set("threads", ConfigNode.CreateScalar("af-packet.0.threads", "4", "--set", 0));

        Assert.Equal(["threads", "bypass"], node.Entries.Select(e => e.Key), StringComparer.Ordinal);
        Assert.Equal(4, node.GetInt64("threads", 1));
        Assert.Equal("--set:0", node["threads"]!.Location);
    }
}
