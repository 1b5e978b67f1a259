namespace Detect.Sample.CommandLine;

/// <summary>Suricata's <c>--runmode</c>: how packets are spread over threads.</summary>
internal enum RunMode
{
    /// <summary><c>single</c>: one thread does everything.</summary>
    Single,

    /// <summary><c>autofp</c>: capture threads hand packets to workers by flow.</summary>
    AutoFp,

    /// <summary><c>workers</c>: each worker captures and processes its own share of flows.</summary>
    Workers,
}
