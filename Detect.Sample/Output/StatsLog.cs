using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>
/// Suricata's <c>stats.log</c>: at each stats interval a table of the counters merged over the
/// workers (<c>TM Name</c> "Total"), headed by the date and uptime; zero counters only with
/// <c>null-values: yes</c>. This host's own counters (<see cref="Output.HostCounters"/>) are left out, as in EVE.
/// </summary>
internal sealed class StatsLog : IDisposable
{
    private const string Rule = "------------------------------------------------------------------------------------\n";

    private readonly SharedLogFile _file;
    private readonly bool _nullValues;

    public StatsLog(LogDirectory directory, TextLogOptions options, UnixFileMode mode, ILogger? logger = null)
    {
        _file = new SharedLogFile(directory, options, mode, logger, bufferSize: 1 << 18);
        _nullValues = options.NullValues;
    }

    public string Path => _file.Path;

    /// <summary>The file, for what could not be written.</summary>
    public SharedLogFile File => _file;

    public void Write(long timestampNanoseconds, long uptimeSeconds, ReadOnlySpan<StatsCounter> counters)
    {
        DateTime local = DateTimeOffset.FromUnixTimeMilliseconds(timestampNanoseconds / 1_000_000).LocalDateTime;
        var table = new StringBuilder(Rule.Length * 4 + counters.Length * 90);
        table.Append(Rule)
            .Append(CultureInfo.InvariantCulture, $"Date: {local.Month}/{local.Day}/{local.Year:D4} -- {local:HH:mm:ss} (uptime: {uptimeSeconds / 86400}d, {uptimeSeconds / 3600 % 24:D2}h {uptimeSeconds / 60 % 60:D2}m {uptimeSeconds % 60:D2}s)\n")
            .Append(Rule)
            .Append("Counter                                       | TM Name                   | Value\n")
            .Append(Rule);
        foreach (StatsCounter counter in counters)
        {
            if ((counter.Value != 0 || _nullValues) && !Output.HostCounters.Contains(counter.Name))
            {
                table.Append(CultureInfo.InvariantCulture, $"{counter.Name,-45} | {"Total",-25} | {counter.Value}\n");
            }
        }

        _file.Append(Encoding.UTF8.GetBytes(table.ToString()), flush: true);
    }


    public void Dispose() => _file.Dispose();
}
