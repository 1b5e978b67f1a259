using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Capture.Tests.Host;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary>
/// The host under a service manager: systemd's notify protocol, spoken to a socket this test
/// binds as systemd would (systemd itself cannot run as PID 1 here), and the shipped unit file,
/// checked by systemd's own verifier.
/// </summary>
public sealed class ServiceManagerTests(LargeCaptureFixture capture) : IClassFixture<LargeCaptureFixture>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-notify-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_host_tells_systemd_it_is_ready_once_capturing_and_that_it_is_stopping_on_sigterm()
    {
        string socketPath = Path.Combine(_work.FullName, "notify.socket");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        notify.ReceiveTimeout = 60_000;

        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath };
        using (RunningHost host = DetectSampleLocation.Start(environment, "-r", capture.Path, "-l", Path.Combine(_work.FullName, "logs"), "-v"))
        {
            Assert.Equal("READY=1", Receive(notify));
            // Logged just before READY=1 is sent; stderr is read as it comes.
            host.WaitUntil(() => host.Error.Contains("Capture started", StringComparison.Ordinal), "the capture-started line", TimeSpan.FromSeconds(10));
            host.Signal(RunningHost.SigTerm);
            Assert.Equal("STOPPING=1", Receive(notify));
            HostResult result = DetectHostProcess.Finish(host, TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public void The_shipped_unit_file_passes_systemds_verifier()
    {
        string unit = Path.Combine(SharedPcaps.RepositoryRoot, "packaging", "detect-sample.service");
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("verify");
        start.ArgumentList.Add(unit);
        using Process verify = Process.Start(start) ?? throw new InvalidOperationException("systemd-analyze (Debian's systemd package) did not start");
        string output = verify.StandardOutput.ReadToEnd() + verify.StandardError.ReadToEnd();
        verify.WaitForExit();

        Assert.True(verify.ExitCode == 0 && output.Length == 0, $"systemd-analyze verify {unit}: exit {verify.ExitCode}\n{output}");
    }

    private static string Receive(Socket socket)
    {
        byte[] buffer = new byte[4096];
        int length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }
}
