using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Linux.Xdp.Interop;

/// <summary>
/// Routes libbpf's messages (libbpf_set_print is process-wide) into an <see cref="ILogger"/>
/// and keeps the last warnings of each thread, so an exception raised after a failed libbpf
/// call carries libbpf's own explanation.
/// </summary>
internal static unsafe class LibbpfLog
{
    private const int Kept = 24;
    private static ILogger s_logger = NullLogger.Instance;
    private static int s_installed;

    [ThreadStatic]
    private static Queue<string>? t_recent;

    /// <summary>Installs the print callback once; later calls only change the logger when one is given.</summary>
    internal static void Install(ILoggerFactory? loggerFactory)
    {
        if (loggerFactory is not null)
        {
            s_logger = loggerFactory.CreateLogger("Capture.Linux.Xdp.libbpf");
        }

        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            Libbpf.SetPrint(&Print);
        }
    }

    /// <summary>Forgets this thread's kept messages (call before an operation whose failure you will report).</summary>
    internal static void Clear() => t_recent?.Clear();

    /// <summary>This thread's kept messages, oldest first; clears them.</summary>
    internal static string[] Take()
    {
        if (t_recent is null || t_recent.Count == 0)
        {
            return [];
        }

        string[] messages = [.. t_recent];
        t_recent.Clear();
        return messages;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        try
        {
            const int Size = 8192;
            byte* buffer = stackalloc byte[Size];
            int written = Libc.VsnPrintf(buffer, Size, format, args);
            if (written < 0)
            {
                return 0;
            }

            int length = Math.Min(written, Size - 1);
            string text = Encoding.UTF8.GetString(buffer, length).TrimEnd('\n', ' ');
            if (text.StartsWith("libbpf: ", StringComparison.Ordinal))
            {
                text = text["libbpf: ".Length..];
            }
            if (text.Length == 0)
            {
                return written;
            }

            // 0 warn, 1 info, 2 debug (enum libbpf_print_level).
            if (level <= 1)
            {
                Queue<string> recent = t_recent ??= new Queue<string>(Kept);
                if (recent.Count == Kept)
                {
                    recent.Dequeue();
                }

                recent.Enqueue(text);
            }

            switch (level)
            {
                case 0:
                    EbpfLog.LibbpfWarning(s_logger, text);
                    break;
                case 1:
                    EbpfLog.LibbpfInfo(s_logger, text);
                    break;
                default:
                    EbpfLog.LibbpfDebug(s_logger, text);
                    break;
            }

            return written;
        }
#pragma warning disable CA1031 // an exception must never cross back into libbpf
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }
}
