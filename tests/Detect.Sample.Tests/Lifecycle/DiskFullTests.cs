using System.Diagnostics;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary>
/// A full disk, for real: the log directory is a 64 KiB tmpfs (mounting it needs root, as the
/// kernel tests do). The host says so once, counts what it lost, keeps only whole lines, and goes
/// on (or stops cleanly with <c>write-error: stop</c>).
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-diskfull-");
    private readonly string _logs;

    public DiskFullTests()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"the disk-full tests mount a small tmpfs and need root; running as {Environment.UserName}");
        }

        _logs = Path.Combine(_work.FullName, "logs");
        Directory.CreateDirectory(_logs);
        Mount("-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", _logs);
    }

    public void Dispose()
    {
        Mount("-u", _logs);
        _work.Delete(recursive: true);
    }

    [Fact]
    public void A_full_disk_is_one_error_line_a_count_of_lost_events_and_whole_lines_while_capture_goes_on()
    {
        HostResult result = DetectHostProcess.Run("-l", _logs);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Error.Split('\n'), l => l.Contains("failed: No space left on device", StringComparison.Ordinal));
        Assert.Contains("LOST: No space left on device", result.Output, StringComparison.Ordinal);
        Assert.Contains("flows:          266 ", result.Output, StringComparison.Ordinal); // the whole capture was read
        string eve = Path.Combine(_logs, "eve.json");
        byte[] bytes = File.ReadAllBytes(eve);
        Assert.True(bytes.Length > 0 && bytes[^1] == (byte)'\n', "eve.json ends in a cut-off line");
        Assert.NotEmpty(new EveLog(eve).Events);
    }

    [Fact]
    public void A_full_disk_under_fast_log_is_one_error_line_and_a_count_of_lost_lines_in_the_summary()
    {
        // 4 KiB left of the 64: less than the sample's 59 alert lines.
        File.WriteAllBytes(Path.Combine(_logs, "filler"), new byte[60 * 1024]);
        HostResult result = DetectHostProcess.Run("-l", _logs, "--set", "outputs.0.eve-log.enabled=no", "--set", "outputs.1.fast.enabled=yes", "--set", "outputs.1.fast.filename=alerts.log");

        Assert.True(result.ExitCode == 0, result.ToString());
        string fast = Path.Combine(_logs, "alerts.log");
        Assert.Single(result.Error.Split('\n'), l => l.Contains($"Writing {fast} failed: No space left on device", StringComparison.Ordinal));
        Assert.Contains($"line log:       {fast} (", result.Output, StringComparison.Ordinal);
        Assert.Contains("lines LOST: No space left on device", result.Output, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(fast);
        Assert.True(bytes.Length == 0 || bytes[^1] == (byte)'\n', "fast.log ends in a cut-off line");
    }

    [Fact]
    public void With_write_error_stop_a_full_disk_stops_the_run_cleanly_and_says_why()
    {
        HostResult result = DetectHostProcess.Run("-l", _logs, "--set", "outputs.0.eve-log.write-error=stop");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("stopped because writing", result.Error, StringComparison.Ordinal);
        Assert.Contains("No space left on device", result.Error, StringComparison.Ordinal);
        Assert.Contains("LOST", result.Output, StringComparison.Ordinal);
        _ = new EveLog(Path.Combine(_logs, "eve.json"));
    }

    [Fact]
    public void A_write_the_disk_takes_in_part_keeps_the_whole_lines_that_reached_it_and_counts_the_rest_as_lost()
    {
        // 100-byte lines, 1,000 of them in one write to a 64 KiB file system: ~650 fit.
        byte[] line = [.. Enumerable.Repeat((byte)'x', 99), (byte)'\n'];
        using var logs = Output.LogDirectory.Open(_logs);
        using var file = new Output.LogFile(logs, "lines.log", append: true, UnixFileMode.UserRead | UnixFileMode.UserWrite, bufferSize: 1 << 20);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(Output.WriteOutcome.Buffered, file.Append(line));
        }

        Assert.Equal(Output.WriteOutcome.Failed, file.Flush());
        byte[] bytes = File.ReadAllBytes(Path.Combine(_logs, "lines.log"));
        Assert.Equal(0, bytes.Length % line.Length);
        Assert.Equal(bytes.Length / line.Length, file.LinesWritten);
        Assert.InRange(file.LinesWritten, 1, 999);
        Assert.Equal(1000, file.LinesWritten + file.LinesLost);
        Assert.Contains("No space left on device", file.FirstError, StringComparison.Ordinal);
    }

    private static void Mount(params string[] args)
    {
        string program = args[0] == "-u" ? "umount" : "mount";
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args[0] == "-u" ? args[1..] : args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {error}");
        }
    }
}
