using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Detect.Sample.Detection;

namespace Detect.Sample.Output;

/// <summary>
/// Suricata's <c>fast.log</c>: one line per alert,
/// <c>MM/DD/YYYY-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**] [Classification: c] [Priority: p] {PROTO} src:sport -&gt; dst:dport</c>,
/// in local time as Suricata writes it; <c>[Drop] </c> before the first <c>[**]</c> for a packet dropped in IPS mode.
/// Workers write through one lock (<see cref="SharedLogFile"/>); the file buffers and is flushed with
/// the EVE files. An alert's line is built per alert (alerts are per matching packet, not per packet).
/// </summary>
internal sealed class FastLog : IDisposable
{
    private readonly SharedLogFile _file;

    public FastLog(LogDirectory directory, TextLogOptions options, UnixFileMode mode, ILogger? logger = null)
    {
        _file = new SharedLogFile(directory, options, mode, logger);
    }

    /// <summary>The file, for its path and what could not be written.</summary>
    public SharedLogFile File => _file;

    public string Path => _file.Path;

    public void WriteAlert(in AlertEvent alert)
    {
        DateTime local = DateTimeOffset.FromUnixTimeMilliseconds(alert.TimestampNanoseconds / 1_000_000).LocalDateTime;
        long micros = alert.TimestampNanoseconds / 1000 % 1_000_000;
        Rule rule = alert.Rule;
        var line = new StringBuilder(256);
        line.Append(CultureInfo.InvariantCulture, $"{local:MM/dd/yyyy-HH:mm:ss}.{micros:D6}  ");
        if (alert.Blocked)
        {
            line.Append("[Drop] ");
        }

        line.Append(CultureInfo.InvariantCulture, $"[**] [{rule.Gid}:{rule.Sid}:{rule.Rev}] {rule.Message} [**] [Classification: {(rule.Category.Length == 0 ? "(null)" : rule.Category)}] [Priority: {rule.Severity}] {{{ProtocolName(alert.Packet.Protocol)}}} ");
        AppendAddress(line, alert.Packet.Source, alert.Packet.IsIPv6);
        line.Append(CultureInfo.InvariantCulture, $":{alert.Packet.SourcePort} -> ");
        AppendAddress(line, alert.Packet.Destination, alert.Packet.IsIPv6);
        line.Append(CultureInfo.InvariantCulture, $":{alert.Packet.DestinationPort}\n");
        _file.Append(Encoding.UTF8.GetBytes(line.ToString()));
    }

    public void Flush() => _file.Flush();


    public void Dispose() => _file.Dispose();

    /// <summary>Suricata's protocol names (as in EVE); others as <c>PROTO:NNN</c>.</summary>
    private static string ProtocolName(byte protocol) =>
        EveFormat.ProtocolName(protocol) ?? string.Create(CultureInfo.InvariantCulture, $"PROTO:{protocol:D3}");

    /// <summary>IPv4 dotted; IPv6 in full, eight groups of four digits, as Suricata's fast log writes it without <c>ipv6-compress</c>.</summary>
    private static void AppendAddress(StringBuilder line, Capture.Abstractions.FlowAddress address, bool isIPv6)
    {
        if (isIPv6)
        {
            Span<byte> octets = stackalloc byte[16];
            address.CopyTo(octets);
            for (int i = 0; i < 16; i += 2)
            {
                line.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ":")}{octets[i]:x2}{octets[i + 1]:x2}");
            }

            return;
        }

        Span<byte> text = stackalloc byte[64];
        int length = EveFormat.FormatAddress(address, isIPv6, text);
        foreach (byte b in text[..length])
        {
            line.Append((char)b);
        }
    }
}
