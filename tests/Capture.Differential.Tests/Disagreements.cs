using System.Globalization;
using System.Text;

namespace Capture.Differential.Tests;

/// <summary>Disagreements between our code and an independent one, by category, with a few examples each.</summary>
internal sealed class Disagreements
{
    private const int ExamplesPerCategory = 3;

    private readonly SortedDictionary<string, (int Count, List<string> Examples)> _byCategory = new(StringComparer.Ordinal);

    public int Total { get; private set; }

    public IEnumerable<string> Categories => _byCategory.Keys;

    public void Add(string category, string example)
    {
        Total++;
        if (!_byCategory.TryGetValue(category, out (int Count, List<string> Examples) entry))
        {
            entry = (0, []);
        }

        if (entry.Examples.Count < ExamplesPerCategory)
        {
            entry.Examples.Add(example);
        }

        _byCategory[category] = (entry.Count + 1, entry.Examples);
    }

    public int Count(string category) => _byCategory.TryGetValue(category, out (int Count, List<string> Examples) entry) ? entry.Count : 0;

    /// <summary>The categories <paramref name="include"/> selects, with their counts and examples.</summary>
    public string Describe(Func<string, bool> include)
    {
        var text = new StringBuilder();
        foreach ((string category, (int count, List<string> examples)) in _byCategory.Where(c => include(c.Key)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{category}: {count}");
            foreach (string example in examples)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {example}");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// What differs from <paramref name="explained"/>: categories not listed or found a different
    /// number of times, and listed ones not found at all. Empty when all agree.
    /// </summary>
    public string Unexplained(IReadOnlyDictionary<string, (int Packets, string Why)> explained)
    {
        string text = Describe(c => !explained.TryGetValue(c, out (int Packets, string Why) known) || known.Packets != Count(c));
        foreach ((string category, (int packets, _)) in explained.Where(e => Count(e.Key) == 0))
        {
            text += $"{category}: expected {packets}, found none (update ExplainedDisagreements and docs/FLOWS.md)\n";
        }

        return text;
    }
}
