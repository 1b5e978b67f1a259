using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Threading.Channels;
using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Defrag;
using FlowEngine.Flows;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Pipeline;

/// <summary>
/// One worker: reads one source's batches, decodes, tracks flows in its own shard, calls the
/// inspector and releases each batch. Packets go in chunks of 16: decode and hash all, prefetch
/// their buckets, then their flow records, then update — so table misses overlap. The flow
/// manager's pass runs here, between batches and on idle ticks, so the shard is never shared.
/// </summary>
internal sealed class PacketWorker
{
    private const int Chunk = 16;
    private const int PrefetchDistance = 16;

    private readonly ICaptureSource _source;
    private readonly ChannelReader<CaptureBatch>? _reader;
    private readonly PacketDecoder _decoder;
    private readonly Defragmenter? _defragmenter;
    private readonly IPacketInspector? _inspector;
    private readonly bool _countsEveryPacket;
    private readonly TimeProvider _clock;
    private readonly bool _captureClock;
    private readonly long _managerInterval;
    private readonly ILogger _logger;
    private readonly ChunkPacket[] _chunk = new ChunkPacket[Chunk];

    // The fragment that completed a datagram, seen again on its own: made on the first, as inline (~400 B) in
    // this object the batch loop measured slower on every packet.
    private DecodedPacket[]? _completingFragment;
    private long _now = long.MinValue;
    private long _lastPass = long.MinValue;

    public PacketWorker(
        ICaptureSource source,
        FlowShard shard,
        PacketDecoder decoder,
        Defragmenter? defragmenter,
        IPacketInspector? inspector,
        TimeProvider clock,
        long managerIntervalNanoseconds,
        ILogger logger,
        ChannelReader<CaptureBatch>? reader = null)
    {
        _source = source;
        // Resolved when the worker runs: a caller that hands batches in directly never touches the channel.
        _reader = reader;
        Shard = shard;
        _decoder = decoder;
        _defragmenter = defragmenter;
        _inspector = inspector;
        _countsEveryPacket = inspector?.CountsEveryPacket == true;
        _clock = clock;
        _captureClock = (source.Capabilities & CaptureCapabilities.Offline) != 0 && (source.Capabilities & CaptureCapabilities.Live) == 0;
        _managerInterval = Math.Max(1, managerIntervalNanoseconds);
        _logger = logger;
    }

    public FlowShard Shard { get; }

    public DecoderCounters DecoderCounters => _decoder.Counters;

    public ICaptureSource Source => _source;

    /// <summary>The capture's failure, when its channel completed with one.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Runs until the source completes or <paramref name="stop"/> fires, then ends every flow.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        ChannelReader<CaptureBatch> reader = _reader ?? _source.Batches;
        CancellationTokenSource? idle = null;
        if (_reader is null && _source is IRestoredBypassSource restoring)
        {
            // Flows the capture bypassed before this process started, on this thread before the first batch.
            Shard.RestoreBypassedFlows(restoring, _source.Name, _clock);
        }

        if (!_captureClock)
        {
            // The wall clock runs from the start: the first pass is due one interval after it,
            // whenever this thread first gets to Tick (under load, possibly after the clock moved).
            _lastPass = Now();
        }

        try
        {
            while (!stop.IsCancellationRequested)
            {
                while (reader.TryRead(out CaptureBatch? batch))
                {
                    ProcessAndRelease(batch, stop);
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }
                }

                if (stop.IsCancellationRequested)
                {
                    break;
                }

                if (_captureClock)
                {
                    if (!await reader.WaitToReadAsync(stop).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                // Live: wake at least every manager interval so flows time out while the wire is quiet.
                if (idle is null || !idle.TryReset())
                {
                    idle?.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
                }

                idle.CancelAfter(TimeSpan.FromTicks(Math.Max(1, _managerInterval / 100)));
                try
                {
                    if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    Tick(stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: fall through to end the flows.
        }
#pragma warning disable CA1031 // A capture failure ends this worker's flows properly and is rethrown by the engine.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault = ex;
            PipelineLog.WorkerFailed(_logger, ex, _source.Name);
        }
        finally
        {
            idle?.Dispose();
        }

        // Batches already delivered go back unprocessed when stopping.
        while (reader.TryRead(out CaptureBatch? left))
        {
            left.Release();
        }

        EndAll(FlowEndReason.Shutdown);
    }

    /// <summary>
    /// Reads the capture on this thread (Suricata's single runmode): the source processes a batch
    /// through this worker wherever its reader would wait for one, then this worker ends its flows.
    /// </summary>
    public void RunReading(IWorkerThreadCaptureSource capture, CancellationToken stop)
    {
        ChannelReader<CaptureBatch> reader = _source.Batches;
        if (_source is IRestoredBypassSource restoring)
        {
            Shard.RestoreBypassedFlows(restoring, _source.Name, _clock);
        }

        try
        {
            capture.ReadOnWorkerThread(() => ProcessOldest(reader, stop));

            // The capture ended: the batches still out, in order.
            while (Fault is null && !stop.IsCancellationRequested && reader.TryRead(out CaptureBatch? batch))
            {
                ProcessAndRelease(batch, stop);
            }

            if (Fault is null && reader.Completion.IsFaulted)
            {
                Fault = reader.Completion.Exception.InnerException ?? reader.Completion.Exception;
                PipelineLog.WorkerFailed(_logger, Fault, _source.Name);
            }
        }
#pragma warning disable CA1031 // A capture failure ends this worker's flows properly and is rethrown by the engine.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault ??= ex;
            PipelineLog.WorkerFailed(_logger, ex, _source.Name);
        }

        while (reader.TryRead(out CaptureBatch? left))
        {
            left.Release();
        }

        EndAll(FlowEndReason.Shutdown);
    }

    /// <summary>The source's callback in <see cref="RunReading"/>: never throws into the reader, and gives every batch back.</summary>
    private void ProcessOldest(ChannelReader<CaptureBatch> reader, CancellationToken stop)
    {
        if (!reader.TryRead(out CaptureBatch? batch))
        {
            return;
        }

        if (Fault is not null || stop.IsCancellationRequested)
        {
            batch.Release();
            return;
        }

        try
        {
            ProcessAndRelease(batch, stop);
        }
#pragma warning disable CA1031 // As in RunAsync: the failure is the worker's, recorded and rethrown by the engine; the capture stops.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault = ex;
            PipelineLog.WorkerFailed(_logger, ex, _source.Name);
            _ = _source.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Processes a batch and runs the flow manager before the batch goes back: a capture learns from
    /// the batches it gets back what the engine has finished, bypass calls included (the pcap
    /// plugin's software bypass acts at a defined packet that way).
    /// </summary>
    private void ProcessAndRelease(CaptureBatch batch, CancellationToken stop)
    {
        try
        {
            ProcessBatch(batch);
            if (batch is FlowDispatcher.SubBatch part && part.LatestTimestamp > _now)
            {
                // The whole capture's clock, not only this worker's packets' (see FlowDispatcher).
                _now = part.LatestTimestamp;
            }

            Tick(stop);
        }
        finally
        {
            batch.Release();
        }
    }

    /// <summary>Ends every flow of the shard (end of capture or shutdown).</summary>
    public void EndAll(FlowEndReason reason) => Shard.EndAll(reason);

    /// <summary>Forgets the capture's clock: the next batch starts a new capture's time, as in a new worker.</summary>
    public void RestartClock()
    {
        _now = long.MinValue;
        _lastPass = long.MinValue;
    }

    /// <summary>Runs the flow manager when its interval has passed on this worker's clock.</summary>
    public void Tick(CancellationToken stop)
    {
        long now = Now();
        if (now == long.MinValue)
        {
            return;
        }

        if (_lastPass == long.MinValue)
        {
            _lastPass = now;
            return;
        }

        if (now - _lastPass >= _managerInterval)
        {
            _lastPass = now;
            Shard.RunManagerPassIfDue(now, stop);
            _defragmenter?.Expire(now);
        }
    }

    /// <summary>Decodes and tracks every packet of a batch (called once per batch so the JIT optimises the loop fully).</summary>
    public void ProcessBatch(CaptureBatch batch)
    {
        ReadOnlySpan<PacketRecord> records = batch.Packets;
        ReadOnlySpan<byte> buffer = batch.Buffer;
        int n = records.Length;
        FlowKeyTracking keyTracking = Shard.KeyTracking;
        FlowHasher hasher = Shard.Hasher;
        FlowTable table = Shard.Table;
        for (int start = 0; start < n; start += Chunk)
        {
            int count = Math.Min(Chunk, n - start);
            int unfinished = 0;
            for (int j = 0; j < count; j++)
            {
                int ahead = start + j + PrefetchDistance;
                if (ahead < n)
                {
                    PrefetchData(buffer, records[ahead].Offset);
                }

                ref readonly PacketRecord record = ref records[start + j];
                ref ChunkPacket pending = ref _chunk[j];
                pending.KeyLayer = -1;
                pending.Length = -1;
                if (record.Offset < 0 || record.CaptureLength < 0 || (long)record.Offset + record.CaptureLength > buffer.Length)
                {
                    Shard.Counters.PacketsWithoutFlow++;
                    continue;
                }

                ref DecodedPacket packet = ref pending.Packet;
                ReadOnlySpan<byte> frame = buffer.Slice(record.Offset, record.CaptureLength);
                DecodeResult result = _decoder.Decode(frame, in record, ref packet, out ReadOnlySpan<byte> bytes);
                if (record.TimestampNanoseconds > _now)
                {
                    _now = record.TimestampNanoseconds;
                }

                if (result != DecodeResult.Ok || packet.LayerCount == 0)
                {
                    if (result == DecodeResult.FragmentHeld)
                    {
                        // Suricata runs detection on each fragment as a packet of its own, without a flow.
                        _inspector?.InspectWithoutFlow(in packet, bytes);
                        continue;
                    }

                    Shard.Counters.PacketsWithoutFlow++;
                    if (packet.EventCount != 0 && _inspector is not null)
                    {
                        _inspector.InspectWithoutFlow(in packet, bytes);
                    }
                    else if (_countsEveryPacket)
                    {
                        _inspector!.PassedWithoutFlow(in packet, bytes);
                    }

                    continue;
                }

                // One plain layer is nearly every packet: its key is built here, without a call.
                int keyLayer = packet.LayerCount == 1 && (packet.Layers[0].Flags & PacketLayerFlags.HasFlowKey) != 0 ? 0 : InnermostKeyedLayer(ref packet);
                pending.KeyLayer = keyLayer;
                if (keyLayer >= 0)
                {
                    uint hash = FlowKey.FromLayer(in packet.Layers[keyLayer], keyTracking, hasher, out pending.Key, out bool sourceIsLow);
                    pending.SourceIsLow = sourceIsLow;
                    pending.Hash = hash;
                    table.PrefetchBucket(hash);
                }

                if (bytes == frame)
                {
                    // The usual case, told apart without Overlaps' arithmetic: the layers refer to the frame itself.
                    pending.Offset = record.Offset;
                    pending.Length = bytes.Length;
                }
                else if (buffer.Overlaps(bytes, out int offset))
                {
                    pending.Offset = offset;
                    pending.Length = bytes.Length;
                }
                else
                {
                    // Reassembled bytes live in the defragmenter until its next call: finish this packet now.
                    Finish(unfinished, j, buffer);
                    Handle(ref pending, bytes);
                    unfinished = j + 1;
                    if (_inspector is not null)
                    {
                        InspectCompletingFragment(ref packet, frame);
                    }
                }
            }

            Finish(unfinished, count, buffer);
        }
    }

    /// <summary>
    /// Warms the first two cache lines of a packet: Ethernet + IPv4 + TCP headers end at byte 54 and
    /// frames start anywhere in a line, so the headers usually straddle two. Records a few hundred
    /// bytes apart defeat the hardware prefetcher.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchData(ReadOnlySpan<byte> buffer, int offset)
    {
        if (Sse.IsSupported && (uint)offset < (uint)buffer.Length)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetReference(buffer), (nuint)(uint)offset));
            Sse.PrefetchNonTemporal(p);
            if ((uint)offset + 64 < (uint)buffer.Length)
            {
                Sse.PrefetchNonTemporal(p + 64);
            }
        }
    }

    /// <summary>The innermost layer with a flow key, or -1.</summary>
    private static int InnermostKeyedLayer(ref DecodedPacket packet)
    {
        for (int l = packet.LayerCount - 1; l >= 0; l--)
        {
            if ((packet.Layers[l].Flags & PacketLayerFlags.HasFlowKey) != 0)
            {
                return l;
            }
        }

        return -1;
    }

    private void Finish(int from, int to, ReadOnlySpan<byte> buffer)
    {
        FlowTable table = Shard.Table;
        for (int j = from; j < to; j++)
        {
            ref ChunkPacket pending = ref _chunk[j];
            if (pending.KeyLayer >= 0)
            {
                table.PrefetchHead(pending.Hash);
            }
        }

        for (int j = from; j < to; j++)
        {
            ref ChunkPacket pending = ref _chunk[j];
            if (pending.Length >= 0)
            {
                Handle(ref pending, buffer.Slice(pending.Offset, pending.Length));
            }
        }
    }

    private void Handle(ref ChunkPacket pending, ReadOnlySpan<byte> bytes)
    {
        ref DecodedPacket packet = ref pending.Packet;
        int keyLayer = pending.KeyLayer;
        if (keyLayer < 0)
        {
            // Decoded, but to layers Suricata keeps no flow for (IGMP, GRE): detection still sees it.
            Shard.Counters.PacketsWithoutFlow++;
            if (_inspector is not null && packet.LayerCount > 0)
            {
                _inspector.InspectWithoutFlow(in packet, bytes);
            }

            return;
        }

        FlowShard shard = Shard;
        FlowTracker tracker = shard.Tracker;
        shard.Counters.Packets++;
        long timestamp = packet.Record.TimestampNanoseconds;
        long parent = 0;

        // Tunnel flows outside the keyed layer first: each one's id is the next one's parent.
        for (int l = 0; l < keyLayer; l++)
        {
            ref PacketLayer outer = ref packet.Layers[l];
            if ((outer.Flags & PacketLayerFlags.HasFlowKey) != 0)
            {
                int outerSlot = tracker.Track(in outer, timestamp, CountedLength(ref packet, in outer, l), packet.SourceMac, packet.DestinationMac, parent, out _, out _);
                parent = shard.Table.RecordAt(outerSlot).FlowId;
            }
        }

        ref PacketLayer layer = ref packet.Layers[keyLayer];
        int slot = tracker.Track(ref pending.Key, pending.Hash, pending.SourceIsLow, in layer, timestamp, CountedLength(ref packet, in layer, keyLayer), packet.SourceMac, packet.DestinationMac, parent, out bool toServer, out bool drop);
        if (!drop && layer.Protocol == IpProtocol.Tcp && (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0)
        {
            shard.Stream.Track(slot, toServer, in layer, bytes, timestamp);
        }
        else
        {
            shard.Stream.Clear();
        }

        if (!drop && _inspector is not null)
        {
            Inspect(ref packet, bytes, slot, toServer);
        }
        else if (drop && _countsEveryPacket)
        {
            Bypassed(ref packet, bytes, slot, toServer);
        }
    }

    /// <summary>Out of line: the context holds references, and built in Handle it made every packet's frame zero them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Inspect(ref DecodedPacket packet, ReadOnlySpan<byte> bytes, int slot, bool toServer)
    {
        PacketContext context = new(ref packet, bytes, Shard, slot, toServer);
        _inspector!.Inspect(ref context);
    }

    /// <summary>A packet of a bypassed flow, for an inspector that counts every packet: off the common path, as <see cref="Inspect"/> is.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Bypassed(ref DecodedPacket packet, ReadOnlySpan<byte> bytes, int slot, bool toServer)
    {
        PacketContext context = new(ref packet, bytes, Shard, slot, toServer);
        _inspector!.Bypassed(ref context);
    }

    /// <summary>
    /// The fragment that completed a datagram, as a packet of its own after the datagram (Suricata
    /// inspects the reassembled packet first, then the fragment that carried it): its layers up to
    /// the fragmented IP layer, marked Fragment and Reassembled, no ports, no transport. Its decoder
    /// events stay with the datagram, decoded from the same frame. A worker-owned copy: no allocation.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InspectCompletingFragment(ref DecodedPacket datagram, ReadOnlySpan<byte> frame)
    {
        int fragmented = -1;
        for (int l = 0; l < datagram.LayerCount; l++)
        {
            if ((datagram.Layers[l].Flags & PacketLayerFlags.Reassembled) != 0)
            {
                fragmented = l;
                break;
            }
        }

        Debug.Assert(fragmented >= 0, "bytes outside the batch are a reassembled datagram's");
        _completingFragment ??= new DecodedPacket[1];
        ref DecodedPacket fragment = ref _completingFragment[0];
        fragment = datagram;
        fragment.LayerCount = fragmented + 1;
        fragment.EventCount = 0;
        ref PacketLayer layer = ref fragment.Layers[fragmented];
        int network = layer.NetworkOffset;
        layer.IPLength = layer.IsIPv6 ? 40 + BinaryPrimitives.ReadUInt16BigEndian(frame[(network + 4)..]) : BinaryPrimitives.ReadUInt16BigEndian(frame[(network + 2)..]);
        layer.Flags = (layer.Flags & ~(PacketLayerFlags.HasFlowKey | PacketLayerFlags.CarriesTunnel | PacketLayerFlags.IcmpErrorForEmbedded | PacketLayerFlags.BadChecksum)) | PacketLayerFlags.Fragment;
        layer.SourcePort = 0;
        layer.DestinationPort = 0;
        layer.TcpFlags = 0;
        layer.IcmpType = 0;
        layer.IcmpCode = 0;
        layer.TcpSequence = 0;
        layer.TcpAcknowledgement = 0;
        layer.TransportOffset = 0;
        layer.PayloadOffset = 0;
        layer.PayloadLength = 0;
        _inspector!.InspectWithoutFlow(in fragment, frame);
    }

    /// <summary>
    /// The bytes a layer's flow counts: the outermost flow the wire length; a reassembled datagram
    /// once, whole (as Suricata's reassembled packet does); a tunnelled flow its own IP length.
    /// </summary>
    private static int CountedLength(ref DecodedPacket packet, in PacketLayer layer, int index) =>
        (layer.Flags & PacketLayerFlags.Reassembled) != 0 ? layer.NetworkOffset + layer.IPLength
            : index == 0 ? packet.Record.OriginalLength : layer.IPLength;

    private long Now()
    {
        if (_captureClock)
        {
            return _now;
        }

        return (_clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    }
}
