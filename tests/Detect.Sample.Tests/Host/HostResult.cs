namespace Detect.Sample.Tests.Host;

/// <summary>What a run of the host printed and returned.</summary>
internal sealed record HostResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
