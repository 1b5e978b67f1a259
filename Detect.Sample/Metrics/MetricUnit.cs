namespace Detect.Sample.Metrics;

/// <summary>
/// The unit of a counter, from its EVE name, in the OpenTelemetry spelling (UCUM: <c>By</c> for
/// bytes, <c>us</c> for microseconds, <c>{packet}</c>-style annotations for counted things).
/// </summary>
internal static class MetricUnit
{
    public static string Of(string name)
    {
        string last = name[(name.LastIndexOf('.') + 1)..];
        return last switch
        {
            _ when last.Contains("bytes", StringComparison.Ordinal) || last.StartsWith("mem", StringComparison.Ordinal) => "By",
            _ when last.EndsWith("_usec", StringComparison.Ordinal) || last.EndsWith("_us", StringComparison.Ordinal) => "us",
            _ when last.Contains("pkts", StringComparison.Ordinal) || last.Contains("packets", StringComparison.Ordinal) || last.Contains("drops", StringComparison.Ordinal) => "{packet}",
            _ when name.StartsWith("eve.", StringComparison.Ordinal) || name.StartsWith("detect.alert", StringComparison.Ordinal) => "{event}",
            _ when name.StartsWith("flow", StringComparison.Ordinal) => "{flow}",
            _ when name.StartsWith("decoder.", StringComparison.Ordinal) || name.StartsWith("defrag.", StringComparison.Ordinal) => "{packet}",
            _ => "{count}",
        };
    }
}
