using System.Diagnostics;
using System.Threading.Channels;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Capture.Libpcap.Sources;

/// <summary>
/// One libpcap handle on one interface. A reader thread drains the handle in non-blocking mode
/// (<c>pcap_next_ex</c> through pointers: no managed object per packet), copies packets into pooled
/// batches, publishes the batch whenever the ring has nothing more, and then polls the handle's
/// descriptor with a short timeout, so a stop is seen promptly however quiet the interface is.
/// The reader alone touches the handle after the start, libpcap statistics included.
/// </summary>
/// <remarks>
/// No bypass below user space: <see cref="BypassStrategy"/> is null, so the engine keeps every
/// bypassed flow locally bypassed. An interface that fails (goes down, is deleted) is counted
/// as an error, logged, and opened again every second until it is back or the capture stops.
/// </remarks>
internal sealed class LibpcapCaptureSource : ICaptureSource
{
    // TPACKET_V3's block timeout: how long a packet on a quiet interface waits in a part-filled block.
    private const int ReadTimeoutMilliseconds = 50;

    // The longest the reader waits without looking at the stop request.
    private const int PollMilliseconds = 100;
    private const int BatchCount = 32;
    private const int PacketsPerBatch = 256;
    private const int MinimumBatchBytes = 256 << 10;
    private const int PcapError = -1;
    private static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(1);
    private static readonly long StatisticsTicks = Stopwatch.Frequency;

    private readonly LibpcapInterfaceOptions _options;
    private readonly PacketFlags _packetFlags;
    private readonly ILogger _logger;
    private readonly int _snaplen;
    private readonly LibpcapBatchPool _pool;
    private readonly Channel<CaptureBatch> _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lifecycle = new();
    private Task? _reader;
    private bool _disposed;

    // Reader thread only.
    private LibpcapDevice? _device;
    private LinkType _linkType;
    private bool _decodable;
    private bool _nanoseconds;
    private LibpcapBatch? _pending;
    private long _nextStatistics;
    private uint _lastReceived;
    private uint _lastDropped;
    private uint _lastInterfaceDropped;

    // Written by the reader, read by GetStatistics from any thread.
    private long _packets;
    private long _bytes;
    private long _errors;
    private long _unsupported;
    private long _kernelReceived;
    private long _kernelDropped;
    private long _interfaceDropped;

    public LibpcapCaptureSource(LibpcapInterfaceOptions options, int? mtu, ChecksumMode checksums, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _snaplen = options.EffectiveSnaplen(mtu);

        // "No checksum checks" tells the engine the checksums need no validation; -k wins over the YAML.
        ChecksumMode effective = checksums is ChecksumMode.Auto or ChecksumMode.Kernel ? options.ChecksumChecks : checksums;
        _packetFlags = effective == ChecksumMode.None ? PacketFlags.ChecksumVerified : PacketFlags.None;
        _pool = new LibpcapBatchPool(this, BatchCount, PacketsPerBatch, Math.Max(MinimumBatchBytes, _snaplen));
        _channel = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(BatchCount)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <inheritdoc />
    public string Name => _options.Interface;

    /// <inheritdoc />
    public string InterfaceName => _options.Interface;

    /// <inheritdoc />
    public CaptureCapabilities Capabilities => CaptureCapabilities.Live;

    /// <inheritdoc />
    public IBypassStrategy? BypassStrategy => null;

    /// <inheritdoc />
    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_reader is not null)
            {
                throw new InvalidOperationException($"{Name}: the capture source is already started");
            }

            if (_stopping.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{Name}: the capture source was stopped; create a new one");
            }

            // Opened here, on the caller's thread, so that a missing permission or interface fails the start.
            _device = Open();
            _reader = Task.Factory.StartNew(ReadAll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            if (!_disposed)
            {
                _stopping.Cancel();
            }
        }

        // Completed here, not by the reader, so the stop is immediate; the reader's next write fails and it ends.
        _channel.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public CaptureStatistics GetStatistics() => new(
        Interlocked.Read(ref _packets),
        Interlocked.Read(ref _bytes),
        Interlocked.Read(ref _kernelDropped),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _unsupported),
        default)
    {
        InterfaceDrops = Interlocked.Read(ref _interfaceDropped),
    };

    /// <summary>libpcap's own counters, summed over every handle this source opened: <c>ps_recv</c>, <c>ps_drop</c>, <c>ps_ifdrop</c>.</summary>
    /// <returns>The three counters, as far as the reader folded them (about once a second and at the stop).</returns>
    public (long Received, long Dropped, long InterfaceDropped) GetLibpcapStatistics() =>
        (Interlocked.Read(ref _kernelReceived), Interlocked.Read(ref _kernelDropped), Interlocked.Read(ref _interfaceDropped));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? reader;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _stopping.Cancel();
            _disposed = true;
            reader = _reader;
        }

        _channel.Writer.TryComplete();
        if (reader is not null)
        {
            // The reader looks at the stop at least every PollMilliseconds and closes the handle itself.
            await reader.ConfigureAwait(false);
        }
        else
        {
            _device?.Close();
        }

        _stopping.Dispose();
    }

    private LibpcapDevice Open()
    {
        PcapInterface pcapInterface = FindInterface(_options.Interface);
        var device = new LibpcapDevice(pcapInterface);
        var failures = new List<string>();
        var configuration = new DeviceConfiguration
        {
            Mode = _options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            Snaplen = _snaplen,
            ReadTimeout = ReadTimeoutMilliseconds,
            BufferSize = _options.BufferSize,
            TimestampResolution = TimestampResolution.Nanosecond,
        };
        configuration.ConfigurationFailed += (_, e) => failures.Add($"{e.Property}: {e.Message}");
        try
        {
            device.Open(configuration);
            if (failures.Count > 0)
            {
                throw new CaptureException($"pcap: {Name}: libpcap refused settings of {_options.Location}: {string.Join("; ", failures)}");
            }

            if (_options.BpfFilter is { } filter)
            {
                try
                {
                    device.Filter = filter;
                }
                catch (PcapException e)
                {
                    throw new CaptureException($"pcap: {Name}: bpf-filter '{filter}' ({_options.Location}) is not a valid pcap filter: {e.Message}", e);
                }
            }

            device.NonBlockingMode = true;
        }
        catch (PcapException e)
        {
            device.Close();
            throw new CaptureException($"pcap: {Name}: libpcap cannot capture on it: {Describe(e)}", e);
        }
        catch
        {
            device.Close();
            throw;
        }

        int dlt = (int)device.LinkType;
        _decodable = DataLinkTypes.TryMap(dlt, out _linkType);
        _nanoseconds = device.TimestampResolution == TimestampResolution.Nanosecond;
        (_lastReceived, _lastDropped, _lastInterfaceDropped) = (0, 0, 0);
        LibpcapLog.Opened(_logger, Name, Pcap.LibpcapVersion.ToString(), dlt, _snaplen, _options.Promiscuous, _options.BpfFilter ?? string.Empty);
        if (!_decodable)
        {
            LibpcapLog.UnsupportedLinkType(_logger, Name, dlt);
        }

        return device;
    }

    /// <summary>The interface as pcap_findalldevs lists it; a name it does not list is refused with the names it does.</summary>
    internal static PcapInterface FindInterface(string name)
    {
        IReadOnlyList<PcapInterface> all;
        try
        {
            all = PcapInterface.GetAllPcapInterfaces();
        }
        catch (Exception e) when (e is PcapException or DllNotFoundException or TypeInitializationException)
        {
            throw new CaptureException($"pcap: {name}: libpcap is not usable here ({e.Message}); install libpcap (Debian: libpcap0.8)", e);
        }

        return all.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal))
            ?? throw new CaptureException($"pcap: no interface '{name}' that libpcap can open; it lists: {string.Join(", ", all.Select(i => i.Name))}");
    }

    private static string Describe(PcapException e) => e.Error switch
    {
        SharpPcap.PcapError.PermissionDenied => "permission denied: capturing needs root or CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode)",
        SharpPcap.PcapError.PromiscuousPermissionDenied => "permission denied for promiscuous mode: it needs CAP_NET_ADMIN (or promisc: no)",
        SharpPcap.PcapError.NoSuchDevice => "no such device",
        SharpPcap.PcapError.InterfaceNotUp => "the interface is not up",
        _ => e.Message,
    };

    private void ReadAll()
    {
        // A dedicated thread (LongRunning): named so top, perf and /proc show the capture by interface.
        Thread.CurrentThread.Name = $"pcap {Name}";
        CancellationToken stopping = _stopping.Token;
        _nextStatistics = Stopwatch.GetTimestamp() + StatisticsTicks;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (_device is null && !Reopen(stopping))
                {
                    continue;
                }

                LibpcapDevice device = _device!;
                if (!Drain(device, stopping))
                {
                    return;
                }

                if (_device is null)
                {
                    // The handle failed and was closed: reopen from the top of the loop.
                    continue;
                }

                FoldStatisticsWhenDue(device);
                DescriptorPoll.Wait(device.SelectableDescriptor, PollMilliseconds);
            }
        }
        finally
        {
            if (_device is { } device)
            {
                FoldStatistics(device);
                device.Close();
                _device = null;
            }

            if (_pending is { } pending)
            {
                _pending = null;
                pending.Reset();
                _pool.Return(pending);
            }

            _channel.Writer.TryComplete();
            (long received, long dropped, long interfaceDropped) = GetLibpcapStatistics();
            LibpcapLog.Stopped(_logger, Name, Interlocked.Read(ref _packets), Interlocked.Read(ref _unsupported), received, dropped, interfaceDropped, Interlocked.Read(ref _errors));
        }
    }

    /// <summary>Reads every packet the handle has now, then publishes the batch; false once the capture is stopped.</summary>
    private bool Drain(LibpcapDevice device, CancellationToken stopping)
    {
        IntPtr headerPointer = IntPtr.Zero;
        IntPtr dataPointer = IntPtr.Zero;
        int drained = 0;
        while (true)
        {
            int result = device.GetNextPacketPointers(ref headerPointer, ref dataPointer);
            if (result != 1)
            {
                if (result == PcapError)
                {
                    Fail(device);
                }

                // 0: nothing more now (non-blocking); PCAP_ERROR_BREAK: a break was asked for.
                return Publish();
            }

            if (!_decodable)
            {
                Interlocked.Increment(ref _unsupported);
                continue;
            }

            if (!Add(headerPointer, dataPointer, stopping))
            {
                return false;
            }

            if (++drained % PacketsPerBatch == 0)
            {
                // Under a load that never empties the ring the drop counters must still move.
                FoldStatisticsWhenDue(device);
            }
        }
    }

    private unsafe bool Add(IntPtr headerPointer, IntPtr dataPointer, CancellationToken stopping)
    {
        ref readonly PcapPacketHeader header = ref *(PcapPacketHeader*)headerPointer;
        var data = new ReadOnlySpan<byte>((void*)dataPointer, (int)header.CaptureLength);
        long timestamp = (header.Seconds * 1_000_000_000L) + (_nanoseconds ? header.Fraction : header.Fraction * 1000L);
        Debug.Assert(header.CaptureLength <= (uint)_snaplen, "libpcap never captures more than the snap length");
        while (true)
        {
            if (_pending is null && !Rent(stopping))
            {
                return false;
            }

            if (_pending!.TryAdd(timestamp, (int)header.OriginalLength, _linkType, _packetFlags, data))
            {
                return true;
            }

            // Full: hand it over and take another (a batch holds at least one packet of the snap length).
            if (!Publish())
            {
                return false;
            }
        }
    }

    private bool Rent(CancellationToken stopping)
    {
        // While the engine holds every batch, libpcap's ring absorbs the traffic, then the kernel drops (ps_drop).
        LibpcapBatch batch;
        while (!_pool.TryRent(TimeSpan.FromMilliseconds(PollMilliseconds), out batch))
        {
            if (stopping.IsCancellationRequested)
            {
                return false;
            }
        }

        _pending = batch;
        return true;
    }

    /// <summary>Hands the batch being filled to the engine; false when the capture was stopped.</summary>
    private bool Publish()
    {
        LibpcapBatch? batch = _pending;
        if (batch is null || batch.Count == 0)
        {
            return true;
        }

        _pending = null;
        int count = batch.Count;
        long bytes = batch.WireBytes;
        batch.MarkLeased();
        if (!_channel.Writer.TryWrite(batch))
        {
            // Only a stop completes the channel; the pool bounds what is in flight, so it is never full.
            batch.Release();
            return false;
        }

        Interlocked.Add(ref _packets, count);
        Interlocked.Add(ref _bytes, bytes);
        return true;
    }

    private void Fail(LibpcapDevice device)
    {
        string reason = device.LastError;
        Interlocked.Increment(ref _errors);
        LibpcapLog.CaptureFailed(_logger, Name, reason, (int)ReopenInterval.TotalSeconds);
        FoldStatistics(device);
        device.Close();
        _device = null;
    }

    /// <summary>After a failure: waits a little, then opens the interface again; false while it is not back.</summary>
    private bool Reopen(CancellationToken stopping)
    {
        if (stopping.WaitHandle.WaitOne(ReopenInterval))
        {
            return false;
        }

        try
        {
            _device = Open();
            LibpcapLog.Reopened(_logger, Name);
            return true;
        }
        catch (CaptureException e)
        {
            LibpcapLog.ReopenFailed(_logger, Name, e.Message);
            return false;
        }
    }

    private void FoldStatisticsWhenDue(LibpcapDevice device)
    {
        if (Stopwatch.GetTimestamp() >= _nextStatistics)
        {
            FoldStatistics(device);
            _nextStatistics = Stopwatch.GetTimestamp() + StatisticsTicks;
        }
    }

    /// <summary>Adds what libpcap counted since the last fold (its counters are 32-bit and wrap).</summary>
    private void FoldStatistics(LibpcapDevice device)
    {
        ICaptureStatistics statistics;
        try
        {
            statistics = device.Statistics;
        }
        catch (PcapException)
        {
            // A handle whose interface vanished may refuse; what it counted before stays folded.
            return;
        }

        uint received = statistics.ReceivedPackets;
        uint dropped = statistics.DroppedPackets;
        uint interfaceDropped = statistics.InterfaceDroppedPackets;
        Interlocked.Add(ref _kernelReceived, unchecked(received - _lastReceived));
        Interlocked.Add(ref _kernelDropped, unchecked(dropped - _lastDropped));
        Interlocked.Add(ref _interfaceDropped, unchecked(interfaceDropped - _lastInterfaceDropped));
        (_lastReceived, _lastDropped, _lastInterfaceDropped) = (received, dropped, interfaceDropped);
    }
}
