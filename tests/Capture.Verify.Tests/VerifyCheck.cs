using System.Globalization;

namespace Capture.Verify.Tests;

/// <summary>
/// One scored unit of a test: a <c>filter</c> check, or one counter of a <c>stats</c> check (each
/// counter is a fact of its own). The kinds we claim: filters on <c>flow</c>, <c>anomaly</c>,
/// <c>stats</c>, <c>alert</c> and <c>drop</c> events, and stats counters under <c>decoder.</c>,
/// <c>flow.</c> and <c>defrag.</c>; everything else (app-layer records, other counters, shell checks)
/// is "not claimed".
/// </summary>
internal sealed class VerifyCheck
{
    private static readonly string[] ClaimedEvents = ["flow", "anomaly", "stats", "alert", "drop"];
    private static readonly string[] ClaimedCounters = ["decoder", "flow", "defrag"];

    private readonly Func<EveEvents, string?> _score;

    private VerifyCheck(string id, string description, string? notClaimed, string? notApplicable, Func<EveEvents, string?> score)
    {
        Id = id;
        Description = description;
        NotClaimed = notClaimed;
        NotApplicable = notApplicable;
        _score = score;
    }

    /// <summary><c>test#N</c> (N counts the test's checks from 1), <c>test#N:counter</c> for a stats counter.</summary>
    public string Id { get; }

    public string Description { get; }

    /// <summary>Why the check is not scored; null when it is a kind we claim.</summary>
    public string? NotClaimed { get; }

    /// <summary>Why the check does not apply to the Suricata version we stand in for; null when it does.</summary>
    public string? NotApplicable { get; }

    public bool Scored => NotClaimed is null && NotApplicable is null;

    /// <summary>Null when the run agrees with the check, else what the run had instead.</summary>
    public string? Score(EveEvents eve) => _score(eve);

    public static VerifyCheck Filter(string id, long count, Dictionary<string, object?> match, string? notApplicable)
    {
        string? type = match.TryGetValue("event_type", out object? t) ? t as string : null;
        string? notClaimed = type is null
            ? "a filter on any event type"
            : Array.IndexOf(ClaimedEvents, type) < 0 ? $"{type} events (detection or application layer)" : null;
        string description = $"{count} × {{{string.Join(", ", match.Select(p => $"{p.Key}: {EveMatch.Str(p.Value)}"))}}}";
        return new VerifyCheck(id, description, notClaimed, notApplicable, eve =>
        {
            long found = eve.Events.Count(e => EveMatch.Matches(e, match));
            return found == count ? null : $"{found} match";
        });
    }

    public static VerifyCheck Counter(string id, string counter, object? expected, string? notApplicable)
    {
        string prefix = counter.Split('.')[0];
        string? notClaimed = Array.IndexOf(ClaimedCounters, prefix) < 0 ? $"{prefix}.* counters" : null;
        return new VerifyCheck(id, $"stats.{counter} = {EveMatch.Str(expected)}", notClaimed, notApplicable, eve =>
        {
            if (eve.LastStats is not { } stats)
            {
                return "no stats record";
            }

            object? value = EveMatch.Find(counter, stats);
            return EveMatch.AreEqual(value, expected) ? null : value is null ? "absent" : EveMatch.Str(value);
        });
    }

    public static VerifyCheck Other(string id, string kind) =>
        new(id, $"{kind} check", $"{kind} checks", null, _ => null);

    /// <summary>
    /// Why a <c>requires</c> block rules the check out for <see cref="SuricataVerifyFolder.EmulatedVersion"/>
    /// or for the host's build features; null when it applies.
    /// </summary>
    public static string? Requires(Dictionary<string, object?>? requires)
    {
        if (requires is null)
        {
            return null;
        }

        Version us = SuricataVerifyFolder.EmulatedVersion;
        if (requires.TryGetValue("min-version", out object? min) && ParseVersion(min) > us)
        {
            return $"needs Suricata {EveMatch.Str(min)} or later";
        }

        if (requires.TryGetValue("lt-version", out object? lt) && ParseVersion(lt) <= us)
        {
            return $"for Suricata before {EveMatch.Str(lt)}";
        }

        if (requires.TryGetValue("version", out object? exact) && ParseVersion(exact) is { } v && (v.Major != us.Major || v.Minor != us.Minor))
        {
            return $"for Suricata {EveMatch.Str(exact)} only";
        }

        if (requires.TryGetValue("features", out object? features) && features is List<object?> named
            && HostBuildFeatures.Missing(named.Select(EveMatch.Str)) is { Count: > 0 } missing)
        {
            return $"needs build feature {string.Join(", ", missing)}, which the host's --build-info does not list";
        }

        return null;
    }

    private static Version ParseVersion(object? value)
    {
        string[] parts = EveMatch.Str(value).Trim().Split('.');
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        return new Version(Part(0), Part(1), Part(2));
    }
}
