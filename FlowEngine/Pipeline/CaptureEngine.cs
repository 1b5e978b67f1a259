using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Storage;
using FlowEngine.Stream;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Pipeline;

/// <summary>
/// The flow engine: one worker per capture source, each with its own decoder, defragmenter and
/// flow-table shard (so the packet path takes no lock), the flow manager run on each worker
/// between batches, bypass through each source's <see cref="IBypassStrategy"/>, and a
/// flow-end event for every flow on every path.
/// </summary>
public sealed class CaptureEngine
{
    /// <summary>The name of the storage slot holding each flow's <see cref="BypassRecord"/>.</summary>
    public const string BypassStorageName = "bypass_counters";

    /// <summary>The name of the storage slot holding each TCP flow's session (the stream tracker's state).</summary>
    public const string TcpSessionStorageName = "tcp_session";

    private readonly FlowEngineOptions _options;
    private readonly FlowStorageRegistry _storage;
    private readonly IFlowEventSink _sink;
    private readonly Func<string, IPacketInspector>? _inspectorFactory;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly FlowHasher _hasher = new();
    private readonly int _sessionColumn;
    private volatile PacketWorker[] _workers = [];
    private readonly Lock _stopGate = new();
    private Task? _stopping;
    private int _running;

    /// <summary>Creates an engine; nothing runs until <see cref="RunAsync"/> or <see cref="Run"/>.</summary>
    /// <param name="options">Sizing and timeouts.</param>
    /// <param name="storage">Flow storage; the engine registers <see cref="BypassStorageName"/> in it. Others register their slots before <see cref="RunAsync"/>.</param>
    /// <param name="sink">Receives flow-end events, from worker threads (must be thread-safe).</param>
    /// <param name="inspectorFactory">Creates one detection callback per worker, given the capture interface the worker reads (<see cref="ICaptureSource.InterfaceName"/>: its packets' <see cref="PacketContext.InterfaceName"/>, and the interface of its packets without a flow, which have no context); null for none.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="clock">Wall clock for live captures (offline captures use packet time); <see cref="TimeProvider.System"/> when null.</param>
    public CaptureEngine(
        FlowEngineOptions options,
        FlowStorageRegistry storage,
        IFlowEventSink sink,
        Func<string, IPacketInspector>? inspectorFactory,
        ILoggerFactory loggerFactory,
        TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Validate(options);
        _options = options;
        _storage = storage;
        _sink = sink;
        _inspectorFactory = inspectorFactory;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<CaptureEngine>();
        _clock = clock ?? TimeProvider.System;
        BypassSlot = storage.Register<BypassRecord>(BypassStorageName);
        _sessionColumn = storage.Register<TcpSession>(TcpSessionStorageName).Index;
    }

    /// <summary>Whether <see cref="RunAsync"/> (or <see cref="Run"/>) got every source started (false when it failed before).</summary>
    public bool SourcesStarted { get; private set; }

    /// <summary>The storage slot of each flow's bypass accounting.</summary>
    public FlowStorageSlot<BypassRecord> BypassSlot { get; }

    /// <summary>
    /// Starts the sources and runs one worker per source (or, for a single offline source and
    /// <see cref="FlowEngineOptions.Workers"/> &gt; 1, that many workers fed by flow hash) until every source completes (end of an
    /// offline capture) or <paramref name="cancellationToken"/> fires; then stops the sources and
    /// ends every remaining flow with reason <c>shutdown</c>, emitting its event and releasing its
    /// capture bypass. Sources are not disposed (the caller owns them). Runs once per engine.
    /// </summary>
    /// <param name="sources">The capture sources.</param>
    /// <param name="cancellationToken">Stops the engine.</param>
    /// <param name="onStarted">Called once every source has started and the workers run (a service manager's readiness).</param>
    /// <returns>Completes when every flow has ended; faults when a source failed (its flows are still ended).</returns>
    /// <remarks>The run is <see cref="Run"/>'s, on a thread of its own: it waits for the workers, which run on theirs.</remarks>
    public Task RunAsync(IReadOnlyList<ICaptureSource> sources, CancellationToken cancellationToken, Action? onStarted = null) =>
        Task.Factory.StartNew(() => Run(sources, cancellationToken, onStarted), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// <see cref="RunAsync"/> on the calling thread, for a caller that waits there anyway (a
    /// command-line host): no async state machine to compile at start.
    /// </summary>
    /// <param name="sources">The capture sources.</param>
    /// <param name="cancellationToken">Stops the engine.</param>
    /// <param name="onStarted">Called once every source has started and the workers run (a service manager's readiness).</param>
    /// <exception cref="CaptureException">A source failed (its flows are still ended); several failing give an <see cref="AggregateException"/>.</exception>
    public void Run(IReadOnlyList<ICaptureSource> sources, CancellationToken cancellationToken, Action? onStarted = null)
    {
        EngineRun run = Prepare(sources);
        int started = 0;
        try
        {
            for (; started < sources.Count; started++)
            {
                sources[started].StartAsync(cancellationToken).GetAwaiter().GetResult();
            }
        }
        catch
        {
            StopSourcesAsync(sources, started).GetAwaiter().GetResult();
            throw;
        }

        Task[] running = StartWorkers(run, cancellationToken);
        onStarted?.Invoke();
        using (cancellationToken.Register(() => _ = StopOnce(sources)))
        {
            Task.WhenAll(running).GetAwaiter().GetResult();
        }

        StopOnce(sources).GetAwaiter().GetResult();
        Finish(sources, run);
    }

    /// <summary>Checks the sources and builds the workers: the part of a run before the sources start.</summary>
    private EngineRun Prepare(IReadOnlyList<ICaptureSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("at least one capture source is needed", nameof(sources));
        }

        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("a CaptureEngine runs once");
        }

        int columns = _storage.Seal();
        bool[] reusableColumns = _storage.ReusableColumns();
        ICaptureSource first = sources[0];
        bool dispatch = sources.Count == 1 && _options.Workers > 1
            && (first.Capabilities & CaptureCapabilities.Offline) != 0 && (first.Capabilities & CaptureCapabilities.Live) == 0;
        FlowDispatcher? dispatcher = dispatch ? new FlowDispatcher(first, _options.Workers, _options.Decoder, byInnermost: !_options.RecursionTracking) : null;
        int workerCount = dispatch ? _options.Workers : sources.Count;

        // One offline source and one worker: the worker reads the capture itself when the source can.
        IWorkerThreadCaptureSource? readOnWorker = !dispatch && sources.Count == 1
            && (first.Capabilities & CaptureCapabilities.Offline) != 0 && (first.Capabilities & CaptureCapabilities.Live) == 0
            && first is IWorkerThreadCaptureSource candidate && candidate.PrepareWorkerThreadRead() ? candidate : null;
        int capacity = FlowShard.CapacityFor(_options, workerCount, columns);
        long interval = Math.Max(1, _options.ManagerIntervalMilliseconds) * 1_000_000L;
        PacketWorker[] workers = new PacketWorker[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            ICaptureSource source = dispatch ? first : sources[i];
            FlowShard shard = new(
                _options,
                capacity,
                columns,
                BypassSlot.Index,
                _hasher,
                i,
                source.InterfaceName,
                source.BypassStrategy,
                _sink,
                _loggerFactory.CreateLogger<FlowShard>(),
                _sessionColumn,
                reusableColumns);
            DecoderCounters counters = new();
            Defragmenter? defragmenter = _options.Defrag.Enabled ? new Defragmenter(_options.Defrag, counters) : null;
            PacketDecoder decoder = new(counters, _options.Decoder, defragmenter);
            workers[i] = new PacketWorker(
                source,
                shard,
                decoder,
                defragmenter,
                _inspectorFactory?.Invoke(source.InterfaceName),
                _clock,
                interval,
                _loggerFactory.CreateLogger<PacketWorker>(),
                dispatcher?.ReaderOf(i));
        }

        _workers = workers;
        FlowTable table = workers[0].Shard.Table;
        PipelineLog.Started(_logger, workers.Length, capacity, table.BytesPerRecord, table.Capacity, table.BucketCount);

        return new EngineRun(workers, dispatcher, readOnWorker);
    }

    /// <summary>Starts one task per worker (and the dispatcher's) once every source has started.</summary>
    private Task[] StartWorkers(EngineRun run, CancellationToken cancellationToken)
    {
        SourcesStarted = true;
        (PacketWorker[] workers, FlowDispatcher? dispatcher, IWorkerThreadCaptureSource? readOnWorker) = run;
        Task[] running = new Task[workers.Length + (dispatcher is null ? 0 : 1)];
        for (int i = 0; i < workers.Length; i++)
        {
            PacketWorker worker = workers[i];
            running[i] = readOnWorker is not null
                ? Task.Factory.StartNew(() => worker.RunReading(readOnWorker, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                : Task.Run(() => worker.RunAsync(cancellationToken), CancellationToken.None);
        }

        if (dispatcher is not null)
        {
            running[^1] = Task.Run(() => dispatcher.RunAsync(cancellationToken), CancellationToken.None);
        }

        return running;
    }

    /// <summary>Sources stop once, when asked or when every worker is done; a worker then ends its flows.</summary>
    private Task StopOnce(IReadOnlyList<ICaptureSource> sources)
    {
        lock (_stopGate)
        {
            return _stopping ??= StopSourcesAsync(sources, sources.Count);
        }
    }

    /// <summary>After the workers and sources stopped: returns unread batches, logs the totals and throws a worker's fault.</summary>
    private void Finish(IReadOnlyList<ICaptureSource> sources, EngineRun run)
    {
        // Batches written after a worker stopped reading go back to their source unprocessed.
        run.Dispatcher?.ReleaseUnread();
        foreach (ICaptureSource source in sources)
        {
            while (source.Batches.TryRead(out CaptureBatch? left))
            {
                left.Release();
            }
        }

        EngineStatistics totals = GetStatistics();
        PipelineLog.Stopped(_logger, totals.FlowsTotal, totals.Decoder.Packets);

        List<Exception> faults = [.. run.Workers.Where(w => w.Fault is not null).Select(w => w.Fault!)];
        if (faults.Count == 1)
        {
            throw new CaptureException($"the worker of capture source {run.Workers.First(w => w.Fault is not null).Source.Name} failed: {faults[0].Message}", faults[0]);
        }

        if (faults.Count > 1)
        {
            throw new AggregateException("several capture sources failed", faults);
        }
    }

    /// <summary>A snapshot of every counter; thread-safe, callable while running and after.</summary>
    /// <returns>The snapshot.</returns>
    public EngineStatistics GetStatistics()
    {
        PacketWorker[] workers = _workers;
        FlowCounters flows = new();
        DecoderCounters decoder = new();
        List<SourceStatistics> sources = [];
        HashSet<ICaptureSource> seen = new(ReferenceEqualityComparer.Instance);
        foreach (PacketWorker worker in workers)
        {
            flows.Add(worker.Shard.Counters);
            decoder.Add(worker.DecoderCounters);
            if (seen.Add(worker.Source))
            {
                sources.Add(new SourceStatistics(worker.Source.Name, worker.Source.InterfaceName, worker.Source.GetStatistics()));
            }
        }

        return new EngineStatistics(flows, decoder, sources);
    }

    private static void Validate(FlowEngineOptions options)
    {
        if (options.HashSize <= 0)
        {
            throw new ArgumentException($"flow.hash-size must be positive, not {options.HashSize}", nameof(options));
        }

        if (options.Prealloc < 0 || options.Memcap < 0)
        {
            throw new ArgumentException("flow.prealloc and flow.memcap must not be negative", nameof(options));
        }

        if (options.EmergencyRecovery is < 1 or > 100)
        {
            throw new ArgumentException($"flow.emergency-recovery must be 1..100 percent, not {options.EmergencyRecovery}", nameof(options));
        }

        if (MachineMemory.Exceeds(options.Memcap, out string? problem))
        {
            throw new ArgumentException($"flow.memcap {problem}", nameof(options));
        }

        if (MachineMemory.Exceeds(options.Prealloc * FlowTable.EstimateBytesPerRecord(1), out problem))
        {
            throw new ArgumentException($"flow.prealloc {options.Prealloc} flows: {problem}", nameof(options));
        }

        if (options.Prealloc == 0 && options.Memcap < FlowTable.EstimateBytesPerRecord(1))
        {
            throw new ArgumentException($"flow.memcap {options.Memcap} does not hold a single flow", nameof(options));
        }
    }

    private async Task StopSourcesAsync(IReadOnlyList<ICaptureSource> sources, int count)
    {
        for (int i = 0; i < count; i++)
        {
            try
            {
                await sources[i].StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One source failing to stop must not keep the others running.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                PipelineLog.StopFailed(_logger, ex, sources[i].Name);
            }
        }
    }
}
