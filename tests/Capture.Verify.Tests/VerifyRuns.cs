using System.Diagnostics;

namespace Capture.Verify.Tests;

/// <summary>Every suricata-verify test run once through the host (two at a time), shared by the tests that read the runs.</summary>
public sealed class VerifyRuns : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("suricata-verify-");

    internal IReadOnlyList<VerifyRun> Runs { get; private set; } = [];

    internal TimeSpan Elapsed { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Runs = await VerifyRunner.RunAllAsync(SuricataVerifyFolder.Tests(), _work.FullName, parallelism: 2);
        Elapsed = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        _work.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
