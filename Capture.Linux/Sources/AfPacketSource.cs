using System.Threading.Channels;
using Capture.Abstractions;
using Capture.Linux.Native;
using Capture.Linux.Ring;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Sources;

/// <summary>
/// One packet socket of an interface (one member of its fanout group): a capture thread polls the
/// ring and writes retired TPACKET_V3 blocks, or runs of written TPACKET_V2 frames, as zero-copy
/// batches into a bounded channel. When the interface goes away it retries by name every second
/// and resumes on the new interface index.
/// </summary>
internal sealed class AfPacketSource : ICaptureSource, IRestoredBypassSource
{
    private const int PollTimeoutMilliseconds = 100;
    private const int ReopenIntervalMilliseconds = 1000;

    // A V2 frame ring has no block timeout: frames written while the engine holds the previous run are looked for this often.
    private const int FrameRingReturnWaitMilliseconds = 1;

    private readonly PacketRingOptions _settings;
    private readonly AfPacketInterface _owner;
    private readonly bool _reportsBypass;
    private readonly ILogger _logger;
    private readonly Channel<CaptureBatch> _channel;
    private readonly Lock _statisticsLock = new();
    private readonly ManualResetEventSlim _stopRequested = new(false);
    private readonly CancellationTokenSource _stopping = new();
    private PacketRing? _ring;

    // Set by the capture thread when its device went down (it alone reads and writes it).
    private bool _interfaceDown;
    private RingBatch[] _batches = [];

    // TPACKET_V2: a batch per frame a run can start at (made when first needed), and every frame's record.
    private FrameRunBatch?[] _frameBatches = [];
    private PacketRecord[] _frameRecords = [];
    private bool _truncationReported;
    private Thread? _thread;
    private TaskCompletionSource? _threadDone;
    private long _packets;
    private long _bytes;
    private long _errors;
    private long _kernelDrops;
    private long _flushedPackets;
    private int _state; // 0 new, 1 started, 2 stopped
    private int _disposed;

    public AfPacketSource(string name, PacketRingOptions settings, AfPacketInterface owner, bool reportsBypass, ILogger logger)
    {
        Name = name;
        _settings = settings;
        _owner = owner;
        _reportsBypass = reportsBypass;
        _logger = logger;

        // At most every slot (block, or V2 frame) of two ring generations (before and after an interface change) is unread at once.
        // A frame ring hands over runs of a few frames, down to one packet: a worker waiting for them
        // resumes on this thread, inside TryWrite, and processes them at once (Suricata's workers run
        // mode), rather than a thread-pool thread being woken per run. A busy worker is not waited for.
        _channel = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions((settings.FrameRing ? settings.FrameCount : settings.BlockCount) * 2)
        {
            SingleReader = true,
            SingleWriter = true,
            AllowSynchronousContinuations = settings.FrameRing,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Name { get; }

    public string InterfaceName => _settings.InterfaceName;

    public CaptureCapabilities Capabilities => CaptureCapabilities.Live | (BypassStrategy is null ? CaptureCapabilities.None : CaptureCapabilities.Bypass);

    public IBypassStrategy? BypassStrategy => _owner.BypassStrategy;

    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    /// <summary>
    /// The interface's flows restored from pinned maps: only the first socket of the interface
    /// returns them (once), so fanout does not restore a flow per socket.
    /// </summary>
    public IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows() => _reportsBypass ? _owner.TakeRestoredFlows() : [];

    public void Adopt(in RestoredBypassedFlow flow, BypassRecord record) => _owner.Adopt(in flow, record);

    /// <summary>Packets of blocks handed back unprocessed by the emergency flush.</summary>
    public long FlushedPackets => Volatile.Read(ref _flushedPackets);

    /// <summary>The interface index the source is bound to now (0 while waiting for the interface).</summary>
    public int InterfaceIndex => Volatile.Read(ref _ring)?.InterfaceIndex ?? 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"{Name} was already started");
        }

        _owner.SourceStarted();
        try
        {
            Install(PacketRing.Open(_settings));
        }
        catch
        {
            _state = 2;
            _owner.SourceStopped();
            _channel.Writer.TryComplete();
            throw;
        }

        string fanout = _settings.Fanout ? $", fanout group {_settings.ClusterId} ({_settings.FanoutMode})" : string.Empty;
        if (_settings.FrameRing)
        {
            AfPacketLog.OpenedFrames(_logger, Name, InterfaceName, _ring!.InterfaceIndex, _settings.FrameCount, _settings.FrameSize, fanout);
        }
        else
        {
            AfPacketLog.Opened(_logger, Name, InterfaceName, _ring!.InterfaceIndex, _settings.BlockCount, _settings.BlockSize, fanout);
        }

        _threadDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(CaptureLoop) { IsBackground = true, Name = $"af-packet {Name}" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                _channel.Writer.TryComplete();
            }

            return;
        }

        _stopRequested.Set();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_threadDone is not null)
        {
            await _threadDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        AfPacketLog.Stopped(_logger, Name, Volatile.Read(ref _packets), Volatile.Read(ref _kernelDrops), Volatile.Read(ref _errors));
        _owner.SourceStopped();
    }

    public CaptureStatistics GetStatistics()
    {
        // Kernel counters are folded by the capture thread; between folds read the live socket too.
        lock (_statisticsLock)
        {
            if (Volatile.Read(ref _state) == 1 && _ring is { IsRetired: false } ring)
            {
                FoldKernelStatistics(ring);
            }

            return new CaptureStatistics(
                Volatile.Read(ref _packets),
                Volatile.Read(ref _bytes),
                _kernelDrops + Volatile.Read(ref _flushedPackets),
                Volatile.Read(ref _errors),
                0,
                _reportsBypass && BypassStrategy is { } strategy ? strategy.GetStatistics() : default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_threadDone is not null)
        {
            // A stop whose wait was cancelled may have left the thread finishing: it still uses the events.
            await _threadDone.Task.ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.SourceDisposed();
            _stopping.Dispose();
            _stopRequested.Dispose();
        }
    }

    private void Install(PacketRing ring)
    {
        if (ring.FrameRing)
        {
            _frameBatches = new FrameRunBatch?[ring.SlotCount];
            _frameRecords = new PacketRecord[ring.SlotCount];
        }
        else
        {
            var batches = new RingBatch[ring.SlotCount];
            for (int i = 0; i < batches.Length; i++)
            {
                batches[i] = new RingBatch(ring, i, this);
            }

            _batches = batches;
        }

        Volatile.Write(ref _ring, ring);
    }

    /// <summary>Takes the next ready slot: a block, or a run of frames (at most an eighth of the ring, so frames keep coming back while the engine works).</summary>
    private static bool TryTake(PacketRing ring, out int first, out int count, out bool waitingForEngine)
    {
        if (ring.FrameRing)
        {
            return ring.TryTakeFrames(Math.Max(1, ring.SlotCount / 8), out first, out count, out waitingForEngine);
        }

        count = 1;
        return ring.TryTakeBlock(out first, out waitingForEngine);
    }

    private void CaptureLoop()
    {
        try
        {
            long nextStatistics = Environment.TickCount64 + 1000;
            while (!_stopRequested.IsSet)
            {
                PacketRing? ring = _ring;
                if (ring is null)
                {
                    TryReopen();
                    continue;
                }

                if (Environment.TickCount64 >= nextStatistics)
                {
                    lock (_statisticsLock)
                    {
                        FoldKernelStatistics(ring);
                    }

                    nextStatistics = Environment.TickCount64 + 1000;
                }

                if (_interfaceDown && LinuxPacket.IfNameToIndex(InterfaceName) != ring.InterfaceIndex)
                {
                    // Deleted after it went down: the kernel reports only the going down (a socket that
                    // is not running gets no error when its device is unregistered), so look.
                    LoseInterface(ring);
                    continue;
                }

                if (TryTake(ring, out int first, out int count, out bool waitingForEngine))
                {
                    _interfaceDown = false;
                    Deliver(ring, first, count);
                    continue;
                }

                if (waitingForEngine)
                {
                    // Every block is with the engine: poll would report the full ring at once, so wait for a release.
                    ring.WaitForReturn(PollTimeoutMilliseconds);
                    continue;
                }

                int result = ring.Poll(PollTimeoutMilliseconds, out short revents, out int errno);
                if (result < 0)
                {
                    if (errno != LinuxPacket.EIntr)
                    {
                        Interlocked.Increment(ref _errors);
                        AfPacketLog.PollFailed(_logger, Name, LinuxPacket.Describe(errno));
                        _stopRequested.Wait(PollTimeoutMilliseconds);
                    }
                }
                else if (result > 0 && (revents & (LinuxPacket.PollErr | LinuxPacket.PollHup | LinuxPacket.PollNval)) != 0)
                {
                    HandleInterfaceTrouble(ring);
                }
                else if (result > 0 && !ring.IsNextReady)
                {
                    // POLLIN only because the engine still holds the previous slot: do not spin on poll.
                    ring.WaitForAnyReturn(_settings.FrameRing ? FrameRingReturnWaitMilliseconds : _settings.BlockTimeoutMilliseconds);
                }
            }

            if (_ring is { } last)
            {
                Retire(last);
            }

            _channel.Writer.TryComplete();
        }
        catch (Exception exception)
        {
            AfPacketLog.CaptureFailed(_logger, Name, exception);
            _channel.Writer.TryComplete(new CaptureException($"af-packet: {Name}: capture failed: {exception.Message}", exception));
        }
        finally
        {
            _threadDone!.TrySetResult();
        }
    }

    private void Deliver(PacketRing ring, int first, int count)
    {
        if (ring.FrameRing)
        {
            DeliverFrames(ring, first, count);
        }
        else
        {
            DeliverBlock(ring, first);
        }
    }

    private unsafe void DeliverFrames(PacketRing ring, int first, int frames)
    {
        if (_settings.EmergencyFlush && FrameReader.IsLosing(ring.Base + ring.FrameOffset(first)))
        {
            CountFlushed(frames);
            ring.ReturnFrames(first, frames);
            return;
        }

        FrameRunBatch batch = _frameBatches[first] ??= new FrameRunBatch(ring, first, _frameRecords, this);
        long bytes = 0;
        int count = FrameReader.Read(ring.Base, _settings, first, frames, ring.LinkType, _settings.Checksums, batch.Prepare(frames), ref bytes, out int corrupt, out int truncated);
        if (corrupt != 0)
        {
            Interlocked.Add(ref _errors, corrupt);
            AfPacketLog.CorruptFrames(_logger, Name, first, corrupt);
        }

        if (truncated != 0 && !_truncationReported)
        {
            // Once per source: the decoder counts every snapped packet; this names the cause and the fix.
            _truncationReported = true;
            AfPacketLog.FramesTruncated(_logger, Name, InterfaceName, _settings.FrameSize);
        }

        CountRead(count, bytes);
        if (count == 0)
        {
            ring.ReturnFrames(first, frames);
            return;
        }

        batch.HandOut(frames, count);
        Publish(batch);
    }

    private unsafe void DeliverBlock(PacketRing ring, int block)
    {
        RingBatch batch = _batches[block];
        byte* address = ring.BlockAddress(block);
        if (_settings.EmergencyFlush && BlockReader.IsLosing(ring.BlockStatus(block)))
        {
            CountFlushed(BlockReader.PacketCount(address));
            ring.ReturnBlock(block);
            return;
        }

        Span<PacketRecord> records = batch.Prepare(BlockReader.PacketCount(address));
        long bytes = 0;
        int count = BlockReader.Read(address, _settings.BlockSize, ring.LinkType, _settings.Checksums, records, ref bytes, out int corrupt);
        if (corrupt != 0)
        {
            Interlocked.Add(ref _errors, corrupt);
            AfPacketLog.CorruptBlock(_logger, Name, block, corrupt);
        }

        CountRead(count, bytes);
        if (count == 0)
        {
            ring.ReturnBlock(block);
            return;
        }

        batch.HandOut(count);
        Publish(batch);
    }

    private void CountFlushed(int packets)
    {
        Interlocked.Add(ref _flushedPackets, packets);
        AfPacketLog.EmergencyFlush(_logger, Name, packets);
    }

    private void CountRead(int packets, long bytes)
    {
        // Written by the capture thread alone; read by statistics from any thread.
        Volatile.Write(ref _packets, _packets + packets);
        Volatile.Write(ref _bytes, _bytes + bytes);
    }

    private void Publish(CaptureBatch batch)
    {
        if (!_channel.Writer.TryWrite(batch))
        {
            // Only after repeated interface changes with the engine far behind: wait for room (back-pressure),
            // but never past a stop: then the block goes straight back to the kernel.
            try
            {
                _channel.Writer.WriteAsync(batch, _stopping.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                batch.Release();
            }
        }
    }

    private void HandleInterfaceTrouble(PacketRing ring)
    {
        int error = ring.TakeSocketError();
        Interlocked.Increment(ref _errors);
        AfPacketLog.InterfaceError(_logger, Name, InterfaceName, error == 0 ? "poll error" : LinuxPacket.Describe(error));
        uint index = LinuxPacket.IfNameToIndex(InterfaceName);
        if (index == ring.InterfaceIndex && error != LinuxPacket.ENoDev)
        {
            // Down (ENETDOWN) but still the same device: the kernel re-hooks the socket when it comes
            // back up; until then the loop checks that the device is still there.
            _interfaceDown = true;
            _stopRequested.Wait(PollTimeoutMilliseconds);
            return;
        }

        LoseInterface(ring);
    }

    /// <summary>The device is gone: deliver what the ring still holds, retire it, and reopen by name.</summary>
    private void LoseInterface(PacketRing ring)
    {
        _interfaceDown = false;
        AfPacketLog.InterfaceLost(_logger, Name, InterfaceName);

        // Packets already in the ring still count: let the kernel retire the partly filled block, then drain.
        _stopRequested.Wait(_settings.BlockTimeoutMilliseconds + 20);
        while (TryTake(ring, out int first, out int count, out _))
        {
            Deliver(ring, first, count);
        }

        Retire(ring);
        Volatile.Write(ref _ring, null);
    }

    private void TryReopen()
    {
        if (_stopRequested.Wait(ReopenIntervalMilliseconds))
        {
            return;
        }

        try
        {
            PacketRing ring = PacketRing.Open(_settings);
            Install(ring);
            AfPacketLog.InterfaceBack(_logger, Name, InterfaceName, ring.InterfaceIndex);
        }
        catch (CaptureException exception)
        {
            AfPacketLog.ReopenFailed(_logger, Name, InterfaceName, exception.Message);
        }
    }

    private void Retire(PacketRing ring)
    {
        lock (_statisticsLock)
        {
            FoldKernelStatistics(ring);
            ring.Retire();
        }
    }

    private void FoldKernelStatistics(PacketRing ring)
    {
        if (ring.TryReadStatistics(out _, out uint drops))
        {
            _kernelDrops += drops;
        }
    }
}
