using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary>suricata.log written by a real run, as Suricata's default logging section asks for it.</summary>
public sealed class SuricataLogTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-suricatalog-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_run_writes_info_and_up_to_suricata_log_from_the_configurations_warnings_on_while_the_console_keeps_to_notice()
    {
        string yaml = Path.Combine(_work.FullName, "detect.yaml");
        File.WriteAllText(yaml, File.ReadAllText(Path.Combine(DetectHostProcess.OutputDirectory, "detect.yaml")) + "\n" + FileLogTests.DefaultLogging + "\n");
        string logs = Path.Combine(_work.FullName, "logs");

        HostResult result = DetectHostProcess.Run("-c", yaml, "-l", logs, "--set", "flow.hash-sise=1024", "--set", "logging.outputs.2.syslog.enabled=yes");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = File.ReadAllLines(Path.Combine(logs, "suricata.log"));
        // The configuration's warnings (read before the log directory opened) reach the file too.
        Assert.Contains(lines, l => l.Contains("Warning: ", StringComparison.Ordinal) && l.Contains("hash-sise", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Warning: ", StringComparison.Ordinal) && l.Contains("syslog is not written", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Info: Detect.Sample.Hosting.DetectRun: Capture started", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Config: ", StringComparison.Ordinal));
        Assert.Contains("hash-sise", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" info: ", result.Error, StringComparison.Ordinal);
    }
}
