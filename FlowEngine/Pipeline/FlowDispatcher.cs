using System.Collections.Concurrent;
using System.Threading.Channels;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace FlowEngine.Pipeline;

/// <summary>
/// Spreads one source's packets over several workers (a single offline capture with
/// <c>Workers</c> &gt; 1): each packet goes to the worker chosen by a symmetric hash of its
/// outermost IP addresses, so both directions of a flow, every fragment of a datagram and every
/// flow inside one tunnel land on the same worker. Workers get sub-batches (records pointing into
/// the source's buffer) through bounded channels; the source's batch is released when the last
/// worker releases its part. Sub-batches are pooled. Without recursion tracking one flow has packets
/// on the wire and inside tunnels, so the innermost addresses choose instead (a tunnel's own flow
/// may then be counted on several workers).
/// </summary>
internal sealed class FlowDispatcher
{
    private readonly ICaptureSource _source;
    private readonly Channel<CaptureBatch>[] _channels;
    private readonly PacketDecoder _decoder;
    private readonly ConcurrentQueue<SubBatch> _pool = new();
    private readonly List<SubBatch> _parts;
    private readonly bool _byInnermost;
    private DecodedPacket _packet;

    public FlowDispatcher(ICaptureSource source, int workers, DecoderOptions options, bool byInnermost = false)
    {
        _source = source;
        _byInnermost = byInnermost;
        _channels = new Channel<CaptureBatch>[workers];
        for (int i = 0; i < workers; i++)
        {
            _channels[i] = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        }

        // Its own decoder (no defragmenter, counters not reported): only the outer addresses matter here.
        _decoder = new PacketDecoder(new DecoderCounters(), options);
        _parts = new List<SubBatch>(workers);
    }

    /// <summary>The batches of worker <paramref name="index"/>.</summary>
    public ChannelReader<CaptureBatch> ReaderOf(int index) => _channels[index].Reader;

    /// <summary>Reads the source until it completes or <paramref name="stop"/> fires, then completes the workers' channels.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Exception? fault = null;
        try
        {
            ChannelReader<CaptureBatch> reader = _source.Batches;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out CaptureBatch? batch))
                {
                    await DispatchAsync(batch, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: the workers end their flows.
        }
#pragma warning disable CA1031 // The capture's failure is handed to the workers, which end their flows and report it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            fault = ex;
        }

        foreach (Channel<CaptureBatch> channel in _channels)
        {
            channel.Writer.TryComplete(fault);
        }
    }

    /// <summary>After the workers and the dispatcher stopped: releases sub-batches nobody read.</summary>
    public void ReleaseUnread()
    {
        foreach (Channel<CaptureBatch> channel in _channels)
        {
            while (channel.Reader.TryRead(out CaptureBatch? left))
            {
                left.Release();
            }
        }
    }

    private async ValueTask DispatchAsync(CaptureBatch batch, CancellationToken stop)
    {
        _parts.Clear();
        for (int i = 0; i < _channels.Length; i++)
        {
            _parts.Add(Rent());
        }

        long latest = Split(batch);

        // Every worker gets a part of every batch, an empty one too, with the batch's latest packet
        // time: each worker's clock (and so its flow manager) then moves as one worker's would over
        // the whole capture, and the source batch goes back only after every worker passed it. Flow
        // records do not depend on the worker count that way.
        SharedBatch shared = new(batch, _parts.Count);
        for (int i = 0; i < _parts.Count; i++)
        {
            SubBatch part = _parts[i];
            part.Attach(shared, latest);
            try
            {
                await _channels[i].Writer.WriteAsync(part, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                part.Release();
                for (int j = i + 1; j < _parts.Count; j++)
                {
                    _parts[j].Attach(shared, latest);
                    _parts[j].Release();
                }

                throw;
            }
        }
    }

    /// <summary>Spreads the batch's packets over the parts; returns its latest packet time.</summary>
    private long Split(CaptureBatch batch)
    {
        ReadOnlySpan<PacketRecord> records = batch.Packets;
        ReadOnlySpan<byte> buffer = batch.Buffer;
        uint workers = (uint)_channels.Length;
        long latest = long.MinValue;
        foreach (ref readonly PacketRecord record in records)
        {
            latest = Math.Max(latest, record.TimestampNanoseconds);
            int target = 0;
            if (record.Offset >= 0 && record.CaptureLength >= 0 && (long)record.Offset + record.CaptureLength <= buffer.Length)
            {
                _decoder.Decode(buffer.Slice(record.Offset, record.CaptureLength), in record, ref _packet, out _);
                if (_packet.LayerCount > 0)
                {
                    ref PacketLayer outer = ref _packet.Layers[_byInnermost ? _packet.LayerCount - 1 : 0];
                    uint h = (uint)outer.Source.GetHashCode() + (uint)outer.Destination.GetHashCode();
                    h *= 0x9E3779B1u;
                    target = (int)(((ulong)h * workers) >> 32);
                }
            }

            _parts[target].Add(in record);
        }

        return latest;
    }

    private SubBatch Rent() => _pool.TryDequeue(out SubBatch? part) ? part : new SubBatch(_source, _pool);

    /// <summary>A source batch shared by several workers: released when the last part is.</summary>
    internal sealed class SharedBatch(CaptureBatch batch, int parts)
    {
        private int _remaining = parts;

        public CaptureBatch Batch => batch;

        public void ReleasePart()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                batch.Release();
            }
        }
    }

    /// <summary>One worker's packets of a source batch.</summary>
    internal sealed class SubBatch(ICaptureSource source, ConcurrentQueue<SubBatch> pool) : CaptureBatch
    {
        private PacketRecord[] _records = new PacketRecord[64];
        private SharedBatch? _shared;

        public int Count { get; private set; }

        public override ReadOnlySpan<PacketRecord> Packets => _records.AsSpan(0, Count);

        public override ReadOnlySpan<byte> Buffer => _shared is null ? [] : _shared.Batch.Buffer;

        public override ICaptureSource Source => source;

        public void Add(in PacketRecord record)
        {
            if (Count == _records.Length)
            {
                Array.Resize(ref _records, _records.Length * 2);
            }

            _records[Count++] = record;
        }

        /// <summary>The latest packet time of the whole source batch (long.MinValue when it had none).</summary>
        public long LatestTimestamp { get; private set; } = long.MinValue;

        public void Attach(SharedBatch shared, long latestTimestamp)
        {
            _shared = shared;
            LatestTimestamp = latestTimestamp;
        }

        public override void Release()
        {
            SharedBatch? shared = _shared;
            _shared = null;
            Count = 0;
            pool.Enqueue(this);
            shared?.ReleasePart();
        }
    }
}
