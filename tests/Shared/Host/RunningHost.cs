// Shared host-test fixtures (tests/Shared/Host), linked into Detect.Sample.Tests and
// Capture.AfPacket.Tests. This file: the built host running as a process.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Capture.Tests.Host;

/// <summary>A host process still running: its output as it comes, signals, and its end.</summary>
public sealed partial class RunningHost : IDisposable
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigUsr2 = 12;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    public RunningHost(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Sends a signal to the process (the host itself, also when a shell exec'd it).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with the host's output after <paramref name="timeout"/>.</summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the host exited ({_process.ExitCode}) before {what}\n{this}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s\n{this}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the end; kills the process and fails when it does not come.</summary>
    /// <returns>The exit code and everything the process printed.</returns>
    public (int ExitCode, string Output, string Error) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the host did not exit within {timeout.TotalSeconds} s\n{this}");
        }

        _process.WaitForExit(); // drains the output readers
        return (_process.ExitCode, Output, Error);
    }

    public bool HasExited => _process.HasExited;

    public override string ToString() => $"--- stdout\n{Output}\n--- stderr\n{Error}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
