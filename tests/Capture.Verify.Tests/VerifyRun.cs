namespace Capture.Verify.Tests;

/// <summary>What one test's run of the host left: its exit, why it stopped when it failed, and its EVE events.</summary>
/// <param name="Test">The test.</param>
/// <param name="ExitCode">The host's exit code.</param>
/// <param name="Failure">The host's last error line when it did not exit 0; null when it did.</param>
/// <param name="Eve">The events of eve.json (none when the host wrote none).</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="EveJson">The eve.json the run wrote, or null.</param>
internal sealed record VerifyRun(VerifyTest Test, int ExitCode, string? Failure, EveEvents Eve, TimeSpan Elapsed, string? EveJson);
