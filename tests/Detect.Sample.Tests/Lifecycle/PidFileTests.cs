using System.Globalization;
using Capture.Tests.Host;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary><c>--pidfile</c>, <c>-D</c> and <c>-V</c>: what a service manager and an operator's scripts meet.</summary>
public sealed class PidFileTests(LargeCaptureFixture capture) : IClassFixture<LargeCaptureFixture>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-pidfile-");

    private string Logs => Path.Combine(_work.FullName, "logs");

    private string Pid => Path.Combine(_work.FullName, "detect.pid");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_pid_file_holds_the_process_id_while_it_runs_and_is_removed_at_the_end()
    {
        using RunningHost host = DetectSampleLocation.Start("-r", capture.Path, "-l", Logs, "--pidfile", Pid, "-v");
        host.WaitUntil(() => host.Error.Contains("Capture started", StringComparison.Ordinal), "the capture to start", TimeSpan.FromSeconds(60));

        Assert.Equal(host.Id.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Pid).Trim());
        host.Signal(RunningHost.SigTerm);
        HostResult result = DetectHostProcess.Finish(host, TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(Pid), "the pid file was left behind");
    }

    [Fact]
    public void A_pid_file_of_a_running_process_is_refused_and_kept()
    {
        string mine = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n";
        File.WriteAllText(Pid, mine);

        HostResult result = DetectHostProcess.Run("-l", Logs, "--pidfile", Pid);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"names process {Environment.ProcessId}, which is running", result.Error, StringComparison.Ordinal);
        Assert.Equal(mine, File.ReadAllText(Pid));
        Assert.False(Directory.Exists(Logs), "the run went on");
    }

    [Fact]
    public void A_stale_pid_file_is_replaced_and_removed_at_the_end()
    {
        // Beyond Linux's pid_max (4,194,304): no process has it.
        File.WriteAllText(Pid, "4999999\n");

        HostResult result = DetectHostProcess.Run("-l", Logs, "--pidfile", Pid);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(Pid));
    }

    [Fact]
    public void A_file_that_is_not_a_pid_file_or_a_link_is_left_alone()
    {
        string victim = Path.Combine(_work.FullName, "victim");
        File.WriteAllText(victim, "precious\n");
        File.WriteAllText(Pid, "not a pid\n");
        string link = Path.Combine(_work.FullName, "link.pid");
        File.CreateSymbolicLink(link, victim);

        HostResult text = DetectHostProcess.Run("-l", Logs, "--pidfile", Pid);
        HostResult linked = DetectHostProcess.Run("-l", Logs, "--pidfile", link);

        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("does not hold a process id", text.Error, StringComparison.Ordinal);
        Assert.Equal("not a pid\n", File.ReadAllText(Pid));
        Assert.True(linked.ExitCode == 1, linked.ToString());
        Assert.Contains("is not a pid file; it is left as it is", linked.Error, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(victim));
    }

    [Fact]
    public void Daemon_mode_points_to_systemd_and_version_prints_the_contract()
    {
        HostResult daemon = DetectHostProcess.Run("-D");
        HostResult version = DetectHostProcess.Run("-V");

        Assert.True(daemon.ExitCode == 2, daemon.ToString());
        Assert.Contains("run it under systemd (packaging/detect-sample.service", daemon.Error, StringComparison.Ordinal);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith("Detect.Sample 0.1.0", version.Output, StringComparison.Ordinal);
        Assert.Contains($"(capture contract {Capture.Abstractions.CaptureContract.Current})", version.Output, StringComparison.Ordinal);
    }
}
