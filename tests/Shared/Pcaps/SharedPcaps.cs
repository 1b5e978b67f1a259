namespace Capture.Tests.Shared;

/// <summary>
/// Finds the captures in <c>../shared/pcaps</c> beside the repository (they are for testing and
/// are never copied into the repository). Every test that reads them carries the trait
/// <c>Category=SharedCaptures</c> (<see cref="Category"/>): <c>scripts/test.sh</c> runs that group
/// when the folder is there and says it did not when it is not. Run without the script, such a
/// test fails (never skips) when the folder is absent.
/// </summary>
internal static class SharedPcaps
{
    /// <summary>The trait value of the tests that read the shared captures (<c>[Trait("Category", SharedPcaps.Category)]</c>).</summary>
    public const string Category = "SharedCaptures";

    private static readonly Lazy<string> RepositoryRootLazy = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding Capture.sln).</summary>
    public static string RepositoryRoot => RepositoryRootLazy.Value;

    /// <summary>The shared captures folder.</summary>
    public static string Directory
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "pcaps"));
            if (!System.IO.Directory.Exists(path))
            {
                throw new InvalidOperationException($"the shared captures are missing: expected {path} (shared/ beside the repository checkout); a test that reads them needs [Trait(\"Category\", SharedPcaps.Category)] so that scripts/test.sh leaves it out when they are absent");
            }

            return path;
        }
    }

    /// <summary>Suricata's conformance tests beside the captures (<c>../shared/suricata-verify</c>); read under the same trait.</summary>
    public static string SuricataVerifyDirectory
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(Directory, "..", "suricata-verify"));
            if (!System.IO.Directory.Exists(path))
            {
                throw new InvalidOperationException($"the shared Suricata tests are missing: expected {path} beside {Directory}");
            }

            return path;
        }
    }

    /// <summary>Full path of a shared capture, e.g. <c>pcapplusplus/example.pcap</c>.</summary>
    public static string Get(string relativePath)
    {
        string path = Path.Combine(Directory, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"shared capture {relativePath} is missing from {Directory}", path);
        }

        return path;
    }

    /// <summary>Rows of MANIFEST.tsv as column-name to value maps.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Manifest()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Directory, "MANIFEST.tsv"));
        string[] header = lines[0].Split('\t');
        var rows = new List<IReadOnlyDictionary<string, string>>(lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split('\t');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < cells.Length ? cells[i] : string.Empty;
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Capture.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"cannot find Capture.sln above {AppContext.BaseDirectory}");
    }
}
