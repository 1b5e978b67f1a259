using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Hosting;

/// <summary>
/// The host's lifetime as a daemon needs it: SIGTERM, SIGINT and SIGQUIT stop the run
/// (<see cref="Stopping"/>), and a
/// second one exits at once after the abandon callbacks (the EVE writer writes what it holds and closes) ran;
/// SIGHUP reopens the log files (rotation); SIGUSR2 (Suricata's rule reload) is logged and
/// ignored. Registered from the first line of the program, so that a signal that arrives while
/// the host is still being built is not lost, and whatever way the process was started.
/// </summary>
internal sealed class ProcessSignals : IDisposable
{
    private const PosixSignal SigUsr2 = (PosixSignal)12;

    private readonly ILogger _logger;
    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Action> _reopen = [];
    private readonly List<Action> _abandon = [];
    private int _stopSignals;

    public ProcessSignals(ILogger logger)
    {
        _logger = logger;
        foreach (string restored in SignalDisposition.RestoreIgnoredStopSignals())
        {
            DetectLog.SignalRestored(logger, restored);
        }

        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnStopSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnReopenSignal),
            PosixSignalRegistration.Create(SigUsr2, OnReloadSignal),
        ];
    }

    /// <summary>Cancelled when the process was asked to stop (a signal or <see cref="RequestStop"/>).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Stops the run as the first stop signal does (the control socket's <c>shutdown</c>).</summary>
    public void RequestStop()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run is over already.
        }
    }

    /// <summary>Runs <paramref name="action"/> on every SIGHUP (this object lives as long as the run).</summary>
    public void OnReopen(Action action) => Add(_reopen, action);

    /// <summary>Runs <paramref name="action"/> before an immediate exit on a second stop signal.</summary>
    public void OnAbandon(Action action) => Add(_abandon, action);

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
    }

    private static string Name(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGQUIT => "SIGQUIT",
        PosixSignal.SIGHUP => "SIGHUP",
        SigUsr2 => "SIGUSR2",
        _ => signal.ToString(),
    };

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => (int)signal,
    };

    private void Add(List<Action> list, Action action)
    {
        lock (_gate)
        {
            list.Add(action);
        }
    }

    private Action[] Snapshot(List<Action> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _stopSignals) == 1)
        {
            DetectLog.StopSignal(_logger, Name(context.Signal));
            RequestStop();
            return;
        }

        // A second stop signal: the operator will not wait for the flows to be ended and logged.
        // Bypass filters go with the process (they are attached through bpf_links), and the EVE
        // writer, closed, leaves complete lines and takes no more.
        DetectLog.SecondStopSignal(_logger, Name(context.Signal));
        foreach (Action abandon in Snapshot(_abandon))
        {
            abandon();
        }

        Environment.Exit(128 + SignalNumber(context.Signal));
    }

    private void OnReopenSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Action[] reopen = Snapshot(_reopen);
        DetectLog.ReopenSignal(_logger, reopen.Length);
        foreach (Action action in reopen)
        {
            action();
        }
    }

    private void OnReloadSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        DetectLog.ReloadNotSupported(_logger);
    }
}
