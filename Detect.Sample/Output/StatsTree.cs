using System.Text.Json;

namespace Detect.Sample.Output;

/// <summary>Dotted counter names as a tree, so <c>decoder.ipv4</c> is written as <c>{"decoder":{"ipv4":N}}</c>.</summary>
internal sealed class StatsTree
{
    private readonly List<KeyValuePair<string, StatsTree>> _children = [];
    private long? _value;

    // A name part "engines[0]" makes "engines" an array of objects (Suricata's detect.engines).
    private bool _array;

    /// <summary>The tree of <paramref name="counters"/>; this host's own (<see cref="HostCounters"/>) only when <paramref name="hostCounters"/>.</summary>
    public static StatsTree Build(ReadOnlySpan<StatsCounter> counters, bool hostCounters)
    {
        var root = new StatsTree();
        foreach (StatsCounter counter in counters)
        {
            if (!hostCounters && HostCounters.Contains(counter.Name))
            {
                continue;
            }

            StatsTree node = root;
            foreach (string part in counter.Name.Split('.'))
            {
                int bracket = part.IndexOf('[', StringComparison.Ordinal);
                if (bracket > 0 && part[^1] == ']')
                {
                    node = node.Child(part[..bracket]);
                    node._array = true;
                    node = node.Child(part[(bracket + 1)..^1]);
                }
                else
                {
                    node = node.Child(part);
                }
            }

            node._value = (node._value ?? 0) + counter.Value;
        }

        return root;
    }

    public void WriteMembers(Utf8JsonWriter writer)
    {
        foreach ((string name, StatsTree child) in _children)
        {
            if (child._array)
            {
                writer.WriteStartArray(name);
                foreach ((_, StatsTree element) in child._children)
                {
                    writer.WriteStartObject();
                    element.WriteMembers(writer);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }
            else if (child._children.Count == 0)
            {
                writer.WriteNumber(name, child._value ?? 0);
            }
            else
            {
                // A name that is both a counter and a group keeps its value under "total".
                writer.WriteStartObject(name);
                if (child._value is long value)
                {
                    writer.WriteNumber("total", value);
                }

                child.WriteMembers(writer);
                writer.WriteEndObject();
            }
        }
    }

    private StatsTree Child(string name)
    {
        foreach ((string key, StatsTree child) in _children)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return child;
            }
        }

        var created = new StatsTree();
        _children.Add(new(name, created));
        return created;
    }
}
