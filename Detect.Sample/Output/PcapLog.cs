using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>
/// The pcap-log output: the workers hand it packets through their <see cref="PcapLogStream"/>, and
/// its own thread writes them to pcap files, so that libpcap's writes and the file system stay off
/// the packet path. The thread wakes when a chunk fills and at least every 200 ms otherwise, so a
/// quiet capture's packets reach the file within that. When it falls 8 MiB behind a stream, a live
/// capture's packets are dropped and counted (the workers never wait); a capture file's workers wait.
/// </summary>
internal sealed class PcapLog : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly LogDirectory _directory;
    private readonly ILogger _logger;
    private readonly Lock _streamsLock = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly PcapLogStream? _shared;
    private readonly Thread _writer;
    private readonly bool _waitWhenBehind;
    private PcapLogStream[] _streams = [];
    private volatile bool _stopping;
    private bool _disposed;

    /// <exception cref="IOException">libpcap cannot be loaded; the message says what to install.</exception>
    /// <param name="options">The output's settings.</param>
    /// <param name="directory">The log directory.</param>
    /// <param name="waitWhenBehind">Workers wait for the writer rather than drop packets (capture files: nothing is lost by waiting).</param>
    /// <param name="logger">For file errors.</param>
    public PcapLog(PcapLogOptions options, LogDirectory directory, bool waitWhenBehind, ILogger logger)
    {
        try
        {
            // Loaded now, so that a missing libpcap fails the start rather than the first file.
            _ = SharpPcap.Pcap.Version;
        }
        catch (DllNotFoundException e)
        {
            throw new IOException($"pcap-log writes through libpcap, which cannot be loaded (install libpcap0.8): {e.Message}", e);
        }

        Options = options;
        _directory = directory;
        _waitWhenBehind = waitWhenBehind;
        _logger = logger;
        if (options.Mode == PcapLogMode.Normal)
        {
            _shared = new PcapLogStream(options, directory, 0, shared: true, _wake.Set, waitWhenBehind, logger);
            _streams = [_shared];
        }

        _writer = new Thread(Run) { Name = "pcap-log", IsBackground = true };
        _writer.Start();
    }

    public PcapLogOptions Options { get; }

    /// <summary>Packets written to files so far.</summary>
    public long Written => Volatile.Read(ref _streams).Sum(s => s.Written);

    /// <summary>Packets not written: the writer was behind, or their file could not be opened.</summary>
    public long Dropped => Volatile.Read(ref _streams).Sum(s => s.Dropped + s.Lost);

    /// <summary>The stream a worker writes to: the shared one in normal mode, a new one in multi mode (called once per worker).</summary>
    public PcapLogStream CreateStream()
    {
        if (_shared is not null)
        {
            return _shared;
        }

        lock (_streamsLock)
        {
            var stream = new PcapLogStream(Options, _directory, _streams.Length + 1, shared: false, _wake.Set, _waitWhenBehind, _logger);
            Volatile.Write(ref _streams, [.. _streams, stream]);
            return stream;
        }
    }

    /// <summary>Writes everything queued and closes the files. Call once the workers have stopped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        _wake.Set();
        _writer.Join();
        _wake.Dispose();
        long dropped = Dropped;
        if (dropped > 0)
        {
            PcapLogLog.Dropped(_logger, dropped);
        }
    }

    private void Run()
    {
        while (true)
        {
            // Read before draining: once stopping is seen, one more drain takes what the workers left.
            bool stopping = _stopping;
            bool wrote = false;
            foreach (PcapLogStream stream in Volatile.Read(ref _streams))
            {
                wrote |= stream.Drain();
            }

            if (stopping)
            {
                break;
            }

            if (!wrote)
            {
                _ = _wake.Wait(Interval);
                _wake.Reset();
            }
        }

        foreach (PcapLogStream stream in Volatile.Read(ref _streams))
        {
            stream.Close();
        }
    }
}
