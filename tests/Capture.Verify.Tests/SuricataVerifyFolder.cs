using Capture.Tests.Shared;

namespace Capture.Verify.Tests;

/// <summary>
/// The suricata-verify subset in <c>../shared/suricata-verify</c> beside the repository (GPL test
/// data, never copied into the repository). Tests that read it carry
/// <c>Category=SharedCaptures</c>; <c>scripts/test.sh</c> leaves them out when it is absent.
/// </summary>
internal static class SuricataVerifyFolder
{
    /// <summary>The Suricata version the runner stands in for: checks and tests requiring another are not applicable.</summary>
    public static readonly Version EmulatedVersion = new(9, 0, 0);

    public static string Directory
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(SharedPcaps.RepositoryRoot, "..", "shared", "suricata-verify"));
            if (!System.IO.Directory.Exists(path))
            {
                throw new InvalidOperationException($"the suricata-verify subset is missing: expected {path} (shared/ beside the repository checkout); tests that read it carry [Trait(\"Category\", SharedPcaps.Category)]");
            }

            return path;
        }
    }

    /// <summary>Every test listed in TESTS.tsv, with its test.yaml read.</summary>
    public static IReadOnlyList<VerifyTest> Tests()
    {
        string root = Directory;
        string[] lines = File.ReadAllLines(Path.Combine(root, "TESTS.tsv"));
        string[] header = lines[0].Split('\t');
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new InvalidDataException($"TESTS.tsv has no column '{name}'");
        int name = Column("test");
        int folder = Column("folder");
        int tier = Column("tier");
        int pcap = Column("pcap");
        var tests = new List<VerifyTest>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split('\t');
            string directory = Path.Combine(root, cells[folder]);
            tests.Add(VerifyTestFile.Read(cells[name], cells[tier], directory, Path.Combine(directory, cells[pcap])));
        }

        return tests;
    }
}
