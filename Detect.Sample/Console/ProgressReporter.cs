using System.Diagnostics;
using System.Globalization;
using FlowEngine.Pipeline;

namespace Detect.Sample.Console;

/// <summary>
/// A one-line progress indicator for offline runs on a terminal: packets, bytes, flows and
/// alerts so far, redrawn four times a second, shown only once a run takes longer than a second.
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly TextWriter _output;
    private readonly Func<EngineStatistics> _statistics;
    private readonly Func<long> _alerts;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _drawn;

    public ProgressReporter(TextWriter output, Func<EngineStatistics> statistics, Func<long> alerts)
    {
        _output = output;
        _statistics = statistics;
        _alerts = alerts;
        _loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        if (_drawn)
        {
            // Clear the line so the summary starts clean.
            _output.Write("\r" + new string(' ', 100) + "\r");
            _output.Flush();
        }
    }

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (clock.Elapsed < TimeSpan.FromSeconds(1))
                {
                    continue;
                }

                EngineStatistics stats = _statistics();
                double seconds = clock.Elapsed.TotalSeconds;
                string line = string.Create(
                    CultureInfo.InvariantCulture,
                    $"\r  {stats.Decoder.Packets,12:N0} packets  {stats.Decoder.Bytes / 1048576.0,9:F1} MiB  {stats.FlowsTotal,9:N0} flows  {_alerts(),7:N0} alerts  {stats.Decoder.Packets / seconds,10:N0} pkt/s  {seconds,6:F1} s");
                _output.Write(line);
                _output.Flush();
                _drawn = true;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
