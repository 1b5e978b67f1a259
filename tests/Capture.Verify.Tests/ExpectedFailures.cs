namespace Capture.Verify.Tests;

/// <summary>
/// expected-failures.tsv: the scored checks that do not agree yet, one a line as
/// <c>&lt;check id&gt;\t&lt;reason&gt;</c> (<c>#</c> starts a comment). The list may only shrink:
/// a listed check that agrees fails the run until its line is removed.
/// </summary>
internal static class ExpectedFailures
{
    public const string FileName = "expected-failures.tsv";

    /// <summary>Check id to reason.</summary>
    public static IReadOnlyDictionary<string, string> Load(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] cells = line.Split('\t');
            if (cells.Length != 2 || cells[0].Trim().Length == 0 || cells[1].Trim().Length == 0)
            {
                throw new InvalidDataException($"{path}:{number}: expected '<check id><TAB><reason>', got '{line}'");
            }

            if (!entries.TryAdd(cells[0].Trim(), cells[1].Trim()))
            {
                throw new InvalidDataException($"{path}:{number}: {cells[0]} is listed twice");
            }
        }

        return entries;
    }
}
