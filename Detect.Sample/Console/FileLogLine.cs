using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>
/// One entry of suricata.log, formatted as Suricata's file output writes it: a line of its
/// <c>%</c> codes (Suricata 7's default <c>[%i - %m] %z %d: %S: %M</c>), or with <c>type: json</c>
/// an <c>engine</c> event. The codes: <c>%z</c> local time <c>yyyy-MM-dd HH:mm:ss</c>, <c>%t</c> the
/// legacy <c>d/M/yyyy -- HH:mm:ss</c>, <c>%p</c> process id, <c>%i</c> thread id, <c>%m</c>/<c>%T</c>
/// thread name, <c>%d</c>/<c>%D</c> level (long/short), <c>%S</c> the logger's category, <c>%n</c> the
/// event's name, <c>%l</c> its id, <c>%f</c> nothing (no source file here), <c>%M</c> the message
/// (added at the end when the format has none, as Suricata does).
/// </summary>
internal static partial class FileLogLine
{
    /// <summary>Formats one line, ending with its newline.</summary>
    /// <param name="format">The line format (ignored for JSON).</param>
    /// <param name="json">Write an engine event.</param>
    /// <param name="now">The entry's time.</param>
    /// <param name="level">Its level.</param>
    /// <param name="category">The logger's category.</param>
    /// <param name="eventId">The entry's event.</param>
    /// <param name="message">The message, one line.</param>
    /// <returns>The line.</returns>
    public static string Format(string format, bool json, DateTimeOffset now, LogLevel level, string category, EventId eventId, string message)
    {
        string threadName = Thread.CurrentThread.Name ?? "Main";
        if (json)
        {
            using var buffer = new MemoryStream(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                EveFormat.WriteTimestamp(w, "timestamp", EveFormat.UnixNanoseconds(now));
                w.WriteString("log_level", SuricataLogLevel.Name(level));
                w.WriteString("event_type", "engine");
                w.WriteStartObject("engine");
                w.WriteString("message", message);
                w.WriteString("thread_name", threadName);
                w.WriteString("module", category);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
        }

        DateTimeOffset local = now.ToLocalTime();
        var line = new StringBuilder(format.Length + message.Length + 64);
        bool wroteMessage = false;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%' || i + 1 == format.Length)
            {
                line.Append(c);
                continue;
            }

            switch (format[++i])
            {
                case 'z':
                    line.Append(local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                    break;
                case 't':
                    line.Append(local.ToString("d/M/yyyy -- HH:mm:ss", CultureInfo.InvariantCulture));
                    break;
                case 'p':
                    line.Append(Environment.ProcessId);
                    break;
                case 'i':
                    line.Append(ThreadId());
                    break;
                case 'm' or 'T':
                    line.Append(threadName);
                    break;
                case 'd':
                    line.Append(SuricataLogLevel.Name(level));
                    break;
                case 'D':
                    line.Append(SuricataLogLevel.ShortName(level));
                    break;
                case 'S':
                    line.Append(category);
                    break;
                case 'n':
                    line.Append(eventId.Name);
                    break;
                case 'l':
                    line.Append(eventId.Id);
                    break;
                case 'f':
                    break;
                case 'M':
                    line.Append(message);
                    wroteMessage = true;
                    break;
                default:
                    // Not a code: kept as written, as Suricata's formatter leaves it.
                    line.Append('%').Append(format[i]);
                    break;
            }
        }

        if (!wroteMessage)
        {
            line.Append(message);
        }

        return line.Append('\n').ToString();
    }

    /// <summary>The calling thread's kernel id, as Suricata's <c>%i</c> (the managed id where there is none).</summary>
    private static long ThreadId()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Gettid() : Environment.CurrentManagedThreadId;
        }
        catch (EntryPointNotFoundException)
        {
            return Environment.CurrentManagedThreadId;
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int Gettid();
}
