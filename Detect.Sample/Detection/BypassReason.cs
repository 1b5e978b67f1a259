namespace Detect.Sample.Detection;

/// <summary>Why detection asked for a bypass (counted in the summary and stats).</summary>
internal enum BypassReason
{
    /// <summary>No bypass.</summary>
    None,

    /// <summary>A rule with the <c>bypass</c> keyword matched.</summary>
    Rule,

    /// <summary>The stream depth was reached.</summary>
    StreamDepth,

    /// <summary>The TLS handshake completed and encryption-handling is bypass.</summary>
    Tls,

    /// <summary>An exception policy (<c>stream.midstream-policy: bypass</c>).</summary>
    ExceptionPolicy,
}
