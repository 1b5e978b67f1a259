namespace Capture.Verify.Tests;

/// <summary>One check scored on its test's run.</summary>
/// <param name="Check">The check.</param>
/// <param name="Run">The run it was scored on.</param>
/// <param name="State">How it came out.</param>
/// <param name="Got">What the run had instead, when it does not agree.</param>
/// <param name="Reason">The expected-failures list's reason, when listed.</param>
internal sealed record CheckResult(VerifyCheck Check, VerifyRun Run, CheckState State, string? Got, string? Reason)
{
    public static IReadOnlyList<CheckResult> Score(IReadOnlyList<VerifyRun> runs, IReadOnlyDictionary<string, string> expected) =>
    [
        .. from run in runs
           from check in run.Test.Checks
           select Score(check, run, expected),
    ];

    private static CheckResult Score(VerifyCheck check, VerifyRun run, IReadOnlyDictionary<string, string> expected)
    {
        if (check.NotApplicable is not null)
        {
            return new(check, run, CheckState.NotApplicable, null, null);
        }

        if (check.NotClaimed is not null)
        {
            return new(check, run, CheckState.NotClaimed, null, null);
        }

        string? got = check.Score(run.Eve);

        string? reason = expected.GetValueOrDefault(check.Id);
        CheckState state = (got, reason) switch
        {
            (null, null) => CheckState.Agrees,
            (null, _) => CheckState.ListedButAgrees,
            (_, null) => CheckState.UnexpectedFailure,
            _ => CheckState.ExpectedFailure,
        };
        return new(check, run, state, got, reason);
    }
}
