using System.Text.Json;
using Json.Schema;

namespace Capture.Tests.Shared;

/// <summary>Suricata's EVE schema (<c>../shared/suricata-verify/eve-schema.json</c>): what each written event is checked against.</summary>
internal static class EveSchema
{
    // The schema carries Suricata's own annotation keyword ("suricata": {keywords: ...}) beside the standard ones.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFile(
        Path.Combine(SharedPcaps.RepositoryRoot, "..", "shared", "suricata-verify", "eve-schema.json"),
        new BuildOptions { Dialect = Dialect.Draft202012.With([], allowUnknownKeywords: true) }));

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    /// <summary>Why each line of <paramref name="eveJson"/> that does not validate fails, as "file:line: where: why"; empty when all validate.</summary>
    public static IReadOnlyList<string> Violations(string eveJson)
    {
        var violations = new List<string>();
        int number = 0;
        foreach (string line in File.ReadLines(eveJson))
        {
            number++;
            using JsonDocument doc = JsonDocument.Parse(line);
            EvaluationResults results = Schema.Value.Evaluate(doc.RootElement, Options);
            if (results.IsValid)
            {
                continue;
            }

            IEnumerable<string> reasons = (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                .Distinct(StringComparer.Ordinal);
            violations.Add($"{Path.GetFileName(Path.GetDirectoryName(eveJson))}/eve.json:{number}: {string.Join("; ", reasons)}");
        }

        return violations;
    }
}
