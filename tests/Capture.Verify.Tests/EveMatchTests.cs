using System.Text.Json;

namespace Capture.Verify.Tests;

/// <summary>The runner's matching agrees with run.py's (find_value, FilterCheck.match) on the forms suricata-verify uses.</summary>
public sealed class EveMatchTests
{
    private static Dictionary<string, object?> Event(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return (Dictionary<string, object?>)EveMatch.FromJson(doc.RootElement)!;
    }

    private static bool Matches(string json, params (string Key, object? Value)[] match) =>
        EveMatch.Matches(Event(json), match.Select(m => new KeyValuePair<string, object?>(m.Key, m.Value)));

    [Fact]
    public void Dotted_names_indices_and_python_equality()
    {
        const string flow = """{"event_type":"flow","proto":"TCP","flow":{"pkts_toserver":3,"alerted":true},"vlan":[10,20],"ip_v":4}""";
        Assert.True(Matches(flow, ("event_type", "flow"), ("flow.pkts_toserver", 3L), ("vlan[1]", 20L)));
        Assert.True(Matches(flow, ("flow.alerted", true)));
        Assert.False(Matches(flow, ("flow.alerted", false)));
        Assert.True(Matches(flow, ("ip_v", "4")), "str(4) == '4' counts as equal, as run.py allows");
        Assert.False(Matches(flow, ("flow.missing", 0L)));
        Assert.False(Matches(flow, ("vlan[2]", 20L)));
        Assert.True(Matches(flow, ("flow.pkts_toserver", 3.0)));
    }

    [Fact]
    public void Length_contains_and_comparisons()
    {
        const string evt = """{"alert":{"metadata":{"tag":["a","b"]}},"name":"example.com","n":7}""";
        Assert.True(Matches(evt, ("alert.metadata.tag.__len", 2L)));
        Assert.True(Matches(evt, ("n.__len", -1L)));
        Assert.True(Matches(evt, ("alert.metadata.tag.__contains", "b")));
        Assert.True(Matches(evt, ("alert.metadata.tag.__contains", new List<object?> { "a", "b" })));
        Assert.False(Matches(evt, ("alert.metadata.tag.__contains", "c")));
        Assert.True(Matches(evt, ("name.__startswith", "example")));
        Assert.True(Matches(evt, ("name.__endswith", ".com")));
        Assert.True(Matches(evt, ("name.__find", "mple")));
        Assert.True(Matches(evt, ("n__gt", 6L)));
        Assert.False(Matches(evt, ("n__lt", 7L)));
        Assert.True(Matches(evt, ("has-key", "alert.metadata")));
        Assert.True(Matches(evt, ("not-has-key", "alert.signature")));
        Assert.False(Matches(evt, ("not-has-key", "name")));
    }

    [Fact]
    public void Python_str_spellings_of_scalars()
    {
        Assert.Equal("None", EveMatch.Str(null));
        Assert.Equal("True", EveMatch.Str(true));
        Assert.Equal("1.0", EveMatch.Str(1.0));
        Assert.Equal("12", EveMatch.Str(12L));
    }
}
