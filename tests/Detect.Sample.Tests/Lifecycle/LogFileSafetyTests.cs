using System.Text.Json;
using Capture.Tests.Host;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary>
/// The host's outputs touch nothing they do not own: no writing through symbolic links, no name
/// that leads out of the log directory, appending by default, and nothing opened or emptied
/// before the configuration and the capture are known to be good.
/// </summary>
public sealed class LogFileSafetyTests : IDisposable
{
    private const string Precious = "precious data that is not the host's\n";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-logsafety-");

    private string Logs => Path.Combine(_work.FullName, "logs");

    private string Eve => Path.Combine(Logs, "eve.json");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void An_eve_json_that_is_a_symbolic_link_is_refused_and_its_target_untouched()
    {
        string victim = Path.Combine(_work.FullName, "victim");
        File.WriteAllText(victim, Precious);
        Directory.CreateDirectory(Logs);
        File.CreateSymbolicLink(Eve, victim);

        HostResult result = DetectHostProcess.Run("-l", Logs);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cannot open {Eve}: it is a symbolic link", result.Error, StringComparison.Ordinal);
        Assert.Equal(Precious, File.ReadAllText(victim));
        Assert.DoesNotContain("packets,", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_directory_that_is_a_symbolic_link_is_refused_and_nothing_is_written_through_it()
    {
        string elsewhere = Path.Combine(_work.FullName, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(Logs, elsewhere);

        HostResult result = DetectHostProcess.Run("-l", Logs);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"the log directory {Logs} is a symbolic link", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public void An_eve_json_that_is_a_fifo_is_refused_without_waiting_for_a_reader()
    {
        Directory.CreateDirectory(Logs);
        NamedPipe.Create(Eve);

        HostResult result = DetectHostProcess.Run("-l", Logs);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{Eve}: it exists and is not a regular file", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escaped.json")]
    [InlineData("/tmp/detect-escaped.json")]
    [InlineData("sub/eve.json")]
    [InlineData("..")]
    public void A_file_name_that_leads_out_of_the_log_directory_is_a_configuration_error(string name)
    {
        HostResult result = DetectHostProcess.Run("-l", Logs, "--set", $"outputs.0.eve-log.filename={name}");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"'{name}' is not a plain file name", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_work.FullName, "escaped.json")));
        Assert.False(Directory.Exists(Logs), "the log directory was created although the configuration was refused");
    }

    [Fact]
    public void Eve_json_is_appended_to_by_default_and_emptied_only_with_append_no()
    {
        Directory.CreateDirectory(Logs);
        File.WriteAllText(Eve, "{\"event_type\":\"earlier\"}\n");

        HostResult first = DetectHostProcess.Run("-l", Logs);
        Assert.True(first.ExitCode == 0, first.ToString());
        string[] afterFirst = File.ReadAllLines(Eve);
        Assert.Equal("{\"event_type\":\"earlier\"}", afterFirst[0]);

        HostResult second = DetectHostProcess.Run("-l", Logs);
        Assert.True(second.ExitCode == 0, second.ToString());
        string[] afterSecond = File.ReadAllLines(Eve);
        Assert.Equal((2 * afterFirst.Length) - 1, afterSecond.Length);
        Assert.Equal(afterFirst, afterSecond[..afterFirst.Length]);

        HostResult replacing = DetectHostProcess.Run("-l", Logs, "--set", "outputs.0.eve-log.append=no");
        Assert.True(replacing.ExitCode == 0, replacing.ToString());
        Assert.Equal(afterFirst.Length - 1, File.ReadAllLines(Eve).Length);
        Assert.DoesNotContain("earlier", File.ReadAllText(Eve), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_start_leaves_an_existing_eve_json_as_it_was_even_with_append_no()
    {
        Directory.CreateDirectory(Logs);
        File.WriteAllText(Eve, Precious);
        string notACapture = Path.Combine(_work.FullName, "not-a-capture.pcap");
        File.WriteAllText(notACapture, "this is no capture file at all\n");

        HostResult badFile = DetectHostProcess.Run("-r", notACapture, "-l", Logs, "--set", "outputs.0.eve-log.append=no");
        HostResult noInterface = DetectHostProcess.Run("--af-packet=nosuchif0", "-l", Logs, "--set", "outputs.0.eve-log.append=no");

        Assert.True(badFile.ExitCode == 1, badFile.ToString());
        Assert.Equal($"Detect.Sample: {notACapture}: not a pcap or pcapng file (magic number 0x74686973)", badFile.Error.Trim());
        Assert.DoesNotContain("packets,", badFile.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, noInterface.ExitCode);
        Assert.Contains("nosuchif0", noInterface.Error, StringComparison.Ordinal);
        Assert.Equal(Precious, File.ReadAllText(Eve));
    }

    [Fact]
    public void A_missing_rules_file_is_a_warning_unless_init_errors_are_fatal()
    {
        string rules = Path.Combine(_work.FullName, "one.rules");
        File.WriteAllText(rules, "alert udp any any -> any 53 (msg:\"dns\"; sid:1;)\n");
        string missing = Path.Combine(_work.FullName, "missing.rules");
        string yaml = Path.Combine(_work.FullName, "detect.yaml");

        File.WriteAllText(yaml, $"%YAML 1.1\n---\nrule-files:\n  - {missing}\n");
        HostResult none = DetectHostProcess.Run("-c", yaml, "-l", Logs, "-r", DetectHostProcess.SamplePcap);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains($"Rules file {missing} not found; the run goes on with the 0 rule(s)", none.Error, StringComparison.Ordinal);
        HostResult fatal = DetectHostProcess.Run("-c", yaml, "-l", Logs, "-r", DetectHostProcess.SamplePcap, "--init-errors-fatal");
        Assert.True(fatal.ExitCode == 2, fatal.ToString());
        Assert.Contains($"--init-errors-fatal: rule-files: {missing} not found", fatal.Error, StringComparison.Ordinal);

        File.WriteAllText(yaml, $"%YAML 1.1\n---\nrule-files:\n  - {missing}\n  - {rules}\n");
        HostResult some = DetectHostProcess.Run("-c", yaml, "-l", Logs, "-r", DetectHostProcess.SamplePcap);
        Assert.True(some.ExitCode == 0, some.ToString());
        Assert.Single(some.Error.Split('\n'), l => l.Contains($"Rules file {missing} not found; the run goes on with the 1 rule(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_configuration_warning_is_printed_once()
    {
        string yaml = Path.Combine(_work.FullName, "detect.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\nflow:\n  hash-sise: 1\nrule-files: []\n");

        HostResult result = DetectHostProcess.Run("-c", yaml, "-l", Logs);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Error.Split('\n'), l => l.Contains("flow.hash-sise: unknown key 'hash-sise' ignored; did you mean hash-size?", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_line_of_eve_json_is_a_whole_event_after_any_run()
    {
        HostResult result = DetectHostProcess.Run("-l", Logs);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string line in File.ReadLines(Eve))
        {
            using JsonDocument parsed = JsonDocument.Parse(line);
        }
    }
}
