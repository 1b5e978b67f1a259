namespace Capture.Abstractions;

/// <summary>The answer to <see cref="IBypassStrategy.TryBypass"/>.</summary>
/// <param name="Failure"><see cref="BypassFailure.None"/> on success.</param>
/// <param name="Detail">What went wrong, for logs (errno text, ...); null on success.</param>
public readonly record struct BypassOutcome(BypassFailure Failure, string? Detail)
{
    /// <summary>The flow is now bypassed by the capture.</summary>
    public static BypassOutcome Success => default;

    /// <summary>Whether the capture now bypasses the flow.</summary>
    public bool Succeeded => Failure == BypassFailure.None;

    /// <summary>A failure.</summary>
    /// <param name="failure">Why.</param>
    /// <param name="detail">Details for logs.</param>
    /// <returns>The outcome.</returns>
    public static BypassOutcome Failed(BypassFailure failure, string? detail = null) => new(failure, detail);
}
