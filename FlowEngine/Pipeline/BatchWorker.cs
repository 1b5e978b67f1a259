using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Storage;
using FlowEngine.Stream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowEngine.Pipeline;

/// <summary>
/// One of <see cref="CaptureEngine"/>'s workers, driven by its caller on one thread: each
/// <see cref="Process(CaptureBatch)"/> decodes a batch, tracks its flows and runs the flow manager when a second
/// of the capture's time has passed; <see cref="EndAll"/> ends every flow. No threads or channels:
/// for a host that owns its loop over an offline capture, for the benchmarks, which time the engine
/// batch by batch through it, and for a host warming its packet path (decode, flow table, its
/// inspector, bypass) on frames of its own before a live capture starts. Not thread-safe; no
/// allocation per packet.
/// </summary>
public sealed class BatchWorker
{
    private const long ManagerIntervalNanoseconds = 1_000_000_000;

    private readonly FlowShard _shard;
    private readonly PacketWorker _worker;
    private readonly FrameBatch _frames;

    /// <summary>Creates the worker and its flow table (which grows from <see cref="FlowEngineOptions.Prealloc"/> as flows arrive).</summary>
    /// <param name="interfaceName">The capture interface the flows are labelled with (EVE <c>in_iface</c>).</param>
    /// <param name="options">Engine options (table size, timeouts, decoder, defrag).</param>
    /// <param name="sink">Receives each ended flow, on the calling thread.</param>
    /// <param name="storage">Flow storage registered by the caller (closed by this call); the engine's bypass slot is added to it.</param>
    /// <param name="maxFlows">The most flows the table may hold; by default what the memcap pays for.</param>
    /// <param name="strategy">The capture's bypass strategy, asked when detection bypasses a flow; none when null.</param>
    /// <param name="loggerFactory">Where the engine logs; none when null.</param>
    /// <param name="inspector">Called for every packet of a flow that is not bypassed, as a <see cref="CaptureEngine"/> worker calls it; none when null.</param>
    /// <remarks>The packets' capture times run the flow manager, as for an offline capture.</remarks>
    public BatchWorker(string interfaceName, FlowEngineOptions options, IFlowEventSink sink, FlowStorageRegistry? storage = null, int? maxFlows = null, IBypassStrategy? strategy = null, ILoggerFactory? loggerFactory = null, IPacketInspector? inspector = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        storage ??= new FlowStorageRegistry();
        FlowStorageSlot<BypassRecord> bypass = storage.Register<BypassRecord>(CaptureEngine.BypassStorageName);
        FlowStorageSlot<TcpSession> sessions = storage.Register<TcpSession>(CaptureEngine.TcpSessionStorageName);
        int columns = storage.Seal();
        loggerFactory ??= NullLoggerFactory.Instance;
        int capacity = maxFlows ?? FlowShard.CapacityFor(options, 1, columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(maxFlows));
        CallerFedSource source = new(interfaceName, strategy);
        _shard = new FlowShard(options, capacity, columns, bypass.Index, new FlowHasher(), 0, interfaceName, strategy, sink, loggerFactory.CreateLogger<FlowShard>(), sessions.Index, storage.ReusableColumns());
        DecoderCounters = new DecoderCounters();
        Defragmenter? defragmenter = options.Defrag.Enabled ? new Defragmenter(options.Defrag, DecoderCounters) : null;
        PacketDecoder decoder = new(DecoderCounters, options.Decoder, defragmenter);
        _worker = new PacketWorker(source, _shard, decoder, defragmenter, inspector, TimeProvider.System, ManagerIntervalNanoseconds, loggerFactory.CreateLogger<PacketWorker>());
        _frames = new FrameBatch(source);
    }

    /// <summary>The decoder's counters (packets, layers, errors).</summary>
    public DecoderCounters DecoderCounters { get; }

    /// <summary>Flows created so far.</summary>
    public long FlowsCreated => _shard.Counters.Total;

    /// <summary>Flows in the table now.</summary>
    public int ActiveFlows => _shard.Table.Active;

    /// <summary>Free clusters of the table (walks the free list; a manager pass costs active flows plus these).</summary>
    public int FreeClusters => _shard.Table.CountClusters();

    /// <summary>Native memory the table holds now (records, index, chain links).</summary>
    public long TableNativeBytes => _shard.Table.NativeBytes;

    /// <summary>Buckets of the table's hash index.</summary>
    public int BucketCount => _shard.Table.BucketCount;

    /// <summary>Bytes one flow costs in the table's arrays (hot, warm and origin parts, chain link, storage references).</summary>
    public long BytesPerFlow => _shard.Table.BytesPerRecord;

    /// <summary>Decodes a batch, tracks every packet's flows, then runs the flow manager when its interval passed. The caller releases the batch.</summary>
    public void Process(CaptureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _worker.ProcessBatch(batch);
        _worker.Tick(CancellationToken.None);
    }

    /// <summary>
    /// <see cref="Process(CaptureBatch)"/> on frames the caller holds: <paramref name="packets"/>
    /// locate them in <paramref name="buffer"/>. The arrays are read during the call only.
    /// </summary>
    public void Process(byte[] buffer, PacketRecord[] packets)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(packets);
        _frames.Set(buffer, packets);
        try
        {
            Process(_frames);
        }
        finally
        {
            _frames.Set([], []);
        }
    }

    /// <summary>Tracks one already decoded layer with a flow key (no decoding, no inspection): a packet of <paramref name="length"/> bytes at <paramref name="timestampNanoseconds"/>.</summary>
    public void Track(in PacketLayer layer, long timestampNanoseconds, int length)
    {
        if ((layer.Flags & PacketLayerFlags.HasFlowKey) == 0)
        {
            throw new ArgumentException("the layer has no flow key", nameof(layer));
        }

        _shard.Tracker.Track(in layer, timestampNanoseconds, length, 0, 0, 0, out _, out _);
    }

    /// <summary>Runs a full flow-manager pass at <paramref name="nowNanoseconds"/>, ending the flows whose timeout passed.</summary>
    public void RunManagerPass(long nowNanoseconds) => _shard.Manager.RunPass(nowNanoseconds, CancellationToken.None);

    /// <summary>Ends every flow (as at shutdown); the next batch starts the capture's clock anew.</summary>
    public void EndAll()
    {
        _worker.EndAll(FlowEndReason.Shutdown);
        _worker.RestartClock();
    }
}
