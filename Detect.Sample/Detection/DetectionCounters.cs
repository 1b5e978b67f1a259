namespace Detect.Sample.Detection;

/// <summary>Detection's counters, shared by the workers (bumped per alert or bypass, never per packet).</summary>
internal sealed class DetectionCounters
{
    private long _alerts;
    private long _ruleBypasses;
    private long _streamDepthBypasses;
    private long _tlsBypasses;
    private readonly long[] _midstreamPolicies = new long[Enum.GetValues<ExceptionPolicy>().Length];

    /// <summary>The rules the detection engine loaded and those that failed (<c>detect.engines[0].rules_loaded</c> / <c>rules_failed</c>); null with detection disabled.</summary>
    public (int Loaded, int Failed)? Rules { get; init; }

    /// <summary>The inline verdict counters (<c>ips.*</c>, <c>firewall.*</c>); null when not inline.</summary>
    public Firewall.InlineCounters? Inline { get; init; }

    public long Alerts => Interlocked.Read(ref _alerts);

    public long RuleBypasses => Interlocked.Read(ref _ruleBypasses);

    public long StreamDepthBypasses => Interlocked.Read(ref _streamDepthBypasses);

    public long TlsBypasses => Interlocked.Read(ref _tlsBypasses);

    public void CountAlert() => Interlocked.Increment(ref _alerts);

    /// <summary>A midstream flow met its exception policy.</summary>
    public void CountMidstreamPolicy(ExceptionPolicy policy) => Interlocked.Increment(ref _midstreamPolicies[(int)policy]);

    public void CountBypass(BypassReason reason)
    {
        switch (reason)
        {
            case BypassReason.Rule:
                Interlocked.Increment(ref _ruleBypasses);
                break;
            case BypassReason.StreamDepth:
                Interlocked.Increment(ref _streamDepthBypasses);
                break;
            case BypassReason.Tls:
                Interlocked.Increment(ref _tlsBypasses);
                break;
        }
    }

    /// <summary>The counters as EVE stats names (<c>detect.alert</c>, ...).</summary>
    public IEnumerable<Output.StatsCounter> Enumerate()
    {
        yield return new("detect.alert", Alerts);
        if (Rules is { } rules)
        {
            yield return new("detect.engines[0].rules_loaded", rules.Loaded);
            yield return new("detect.engines[0].rules_failed", rules.Failed);
        }

        // Not "?? []": enumerating an empty array of this struct was JIT compiled at every start.
        if (Inline is { } inline)
        {
            foreach (Output.StatsCounter counter in inline.Enumerate())
            {
                yield return counter;
            }
        }

        yield return new("detect.bypass.rule", RuleBypasses);
        yield return new("detect.bypass.stream_depth", StreamDepthBypasses);
        yield return new("detect.bypass.tls", TlsBypasses);
        foreach (ExceptionPolicy policy in Enum.GetValues<ExceptionPolicy>())
        {
            // Suricata counts the policies that act; ignore has no counter.
            if (policy is not (ExceptionPolicy.None or ExceptionPolicy.Ignore))
            {
                yield return new($"exception_policy.tcp.midstream.{ExceptionPolicies.Name(policy)}", Interlocked.Read(ref _midstreamPolicies[(int)policy]));
            }
        }
    }
}
