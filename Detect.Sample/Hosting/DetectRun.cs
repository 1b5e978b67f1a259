using System.Diagnostics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Control;
using Capture.Hosting.Plugins;
using Detect.Sample.Console;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;
using Detect.Sample.Metrics;
using Detect.Sample.Output;
using FlowEngine.Configuration;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Detect.Sample.Hosting;

/// <summary>
/// One run of the host: open the capture through its plugin, load rules, run the flow engine
/// with detection, write EVE (flows, alerts, periodic stats) and print the summary.
/// </summary>
internal sealed class DetectRun
{
    /// <summary>The name of detection's flow-storage slot.</summary>
    public const string StorageName = "detect.state";

    private readonly IServiceProvider _services;
    private readonly HostConfiguration _configuration;
    private readonly DetectRunOptions _options;
    private readonly CapturePluginCatalog _plugins;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    public DetectRun(IServiceProvider services, HostConfiguration configuration, IOptions<DetectRunOptions> options, CapturePluginCatalog plugins, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        _services = services;
        _configuration = configuration;
        _options = options.Value;
        _plugins = plugins;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DetectRun>();
        _clock = clock;
    }

    /// <summary>
    /// <c>-T</c>: the configuration was bound and the plugins loaded to get here; this checks that
    /// the run's capture plugin is there and makes its source factory, and loads the rules. Nothing
    /// is opened: no capture, no log directory.
    /// </summary>
    /// <returns>The exit code (failures throw <see cref="HostExitException"/>).</returns>
    public int Test(TextWriter output)
    {
        _ = CaptureFactory();
        _ = ReadPcapLogOptions();
        _ = ReadMidstreamPolicy();
        try
        {
            _ = TextLogOptions.Read(_configuration.Root, "fast", "fast.log");
            _ = TextLogOptions.Read(_configuration.Root, "stats", "stats.log");
        }
        catch (ConfigurationException e)
        {
            throw new HostExitException(ExitCodes.UsageError, e.Message, e);
        }

        RuleSet rules = LoadRules();
        output.WriteLine(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"Detect.Sample: configuration {_options.ConfigFile} is good: capture plugin {_options.CaptureName}; {rules.Rules.Count} rules loaded from {rules.Files.Count} file(s), {rules.Errors.Count} failed"));
        return ExitCodes.Success;
    }

    /// <summary>Runs the capture to its end, or until <paramref name="cancellationToken"/> stops it, and prints the summary.</summary>
    public int Run(TextWriter output, ProcessSignals signals, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        ICaptureSourceFactory factory = CaptureFactory();
        PcapLogOptions? pcapLogOptions = ReadPcapLogOptions();
        RuleSet rules = LoadRules();
        DetectionOptions detection = new()
        {
            StreamBypass = _configuration.Stream.Bypass,
            StreamDepth = _configuration.Stream.ReassemblyDepth,
            TlsBypass = _configuration.TlsEncryptionHandling == TlsEncryptionHandling.Bypass,
            SimulateIps = _options.SimulateIps,
            MidstreamPolicy = ReadMidstreamPolicy(),
            Firewall = !_options.DisableDetection && FirewallMode,
        };

        TcpStreamOptions stream = _configuration.Flow.Stream;
        stream.Midstream = _configuration.Stream.Midstream;
        stream.AsyncOneside = _configuration.Stream.AsyncOneside;
        stream.ReassemblyDepth = _configuration.Stream.ReassemblyDepth;
        stream.Inline = _configuration.Stream.Inline ?? _options.SimulateIps;
        stream.DropInvalid = _configuration.Stream.DropInvalid;
        stream.LiberalTimestamps = _configuration.Stream.LiberalTimestamps;
        DetectLog.Starting(_logger, _options.ConfigFile, _options.CaptureName, _options.Target ?? "(from the configuration)", _options.LogDirectory);
        IReadOnlyList<ICaptureSource> sources;
        try
        {
            sources = factory.CreateSources(new CaptureSourceRequest
            {
                Target = _options.Target,
                Configuration = _configuration.Root,
                Checksums = _options.Checksums,
                VxlanPorts = _configuration.Flow.Decoder.VxlanPorts,
                GenevePort = _configuration.Flow.Decoder.GenevePort,
                HeaderBypassRules = HeaderBypassRules.Select(rules, _logger),
                Services = _services,
            });
        }
        catch (ConfigurationException e)
        {
            throw new HostExitException(ExitCodes.UsageError, e.Message, e);
        }
        catch (CaptureException e)
        {
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        if (sources.Count == 0)
        {
            throw new HostExitException(ExitCodes.RuntimeError, $"capture plugin '{_options.CaptureName}' opened no source for {_options.Target ?? "its configured default"}");
        }

        DetectLog.SourcesOpened(_logger, sources.Count, string.Join(", ", sources.Select(s => s.Name)));
        bool live = sources.Any(s => (s.Capabilities & CaptureCapabilities.Live) != 0);
        if (live)
        {
            // Live packets arrive from the start: their path runs compiled before the capture does.
            WarmPacketPath(detection);
        }

        if (_configuration.Root.Find("threading.worker-priority") is { } priority)
        {
            try
            {
                WorkerPriority.Apply((int)priority.AsInt64(-20, 19));
            }
            catch (Exception e) when (e is HostExitException or ConfigurationException)
            {
                DisposeAll(sources);
                throw e as HostExitException ?? new HostExitException(ExitCodes.UsageError, e.Message, e);
            }
        }

        // The configuration and the capture are valid: only now is anything in the log directory touched.
        LogDirectory logs;
        EveOutputs eve;
        try
        {
            logs = LogDirectory.Open(_options.LogDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DisposeAll(sources);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        FileLoggerProvider? fileLog = _services.GetService(typeof(FileLoggerProvider)) as FileLoggerProvider;
        IDisposable? fileLogOpen;
        try
        {
            // suricata.log first, as Suricata opens it: what was logged since the configuration was read goes in.
            fileLogOpen = fileLog?.Open(logs, _configuration.EveLog.FileMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logs.Dispose();
            DisposeAll(sources);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        try
        {
            // in_iface only where packets come from a device, as Suricata writes it.
            eve = OpenEveOutputs(logs, inIface: !sources.All(s => (s.Capabilities & CaptureCapabilities.Offline) != 0), signals.RequestStop);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fileLogOpen?.Dispose();
            logs.Dispose();
            DisposeAll(sources);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        PcapLog? pcapLog;
        try
        {
            pcapLog = pcapLogOptions is null ? null : new PcapLog(
                pcapLogOptions,
                logs,
                waitWhenBehind: sources.All(s => (s.Capabilities & CaptureCapabilities.Live) == 0),
                _loggerFactory.CreateLogger<PcapLog>());
        }
        catch (IOException e)
        {
            eve.Dispose();
            fileLogOpen?.Dispose();
            logs.Dispose();
            DisposeAll(sources);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        using (logs)
        using (fileLogOpen)
        using (eve)
        using (pcapLog)
        {
            signals.OnReopen(() => eve.Reopen(_logger));
            if (fileLogOpen is not null)
            {
                signals.OnReopen(() => ReopenFileLog(fileLog!));
            }

            // Closing (not just flushing) keeps any worker from starting a write that the exit would cut.
            signals.OnAbandon(eve.Dispose);
            output.WriteLine($"Detect.Sample: reading {_options.Target ?? _options.CaptureName} with the {_options.CaptureName} plugin; writing {string.Join(", ", eve.Writers.Select(w => w.Path).Concat(eve.LinePaths).Concat(fileLog?.Path is { } logPath ? [logPath] : []))}");
            var counters = new DetectionCounters
            {
                Rules = _options.DisableDetection ? null : (rules.Rules.Count, rules.Errors.Count),
                Inline = detection.SimulateIps ? new InlineCounters(detection.Firewall) : null,
            };
            var sink = new EveFlowSink(eve);
            // Workers hand flow ends to the output thread and go on; disposing delivers every one.
            using var flowEnds = new FlowEndQueue(sink, FlowEndQueue.DefaultCapacity, _loggerFactory.CreateLogger<FlowEndQueue>());
            var storage = new FlowStorageRegistry();
            FlowStorageSlot<DetectionFlowState> slot = storage.Register<DetectionFlowState>(StorageName);
            var detector = new PacketDetector(rules, detection);
            ILogger inspectorLogger = _loggerFactory.CreateLogger<DetectionInspector>();
            var engine = new CaptureEngine(
                _configuration.Flow,
                storage,
                flowEnds,
                interfaceName => new DetectionInspector(interfaceName, detector, slot, eve, counters, inspectorLogger, detection.SimulateIps, pcapLog, detection.MidstreamPolicy, detection.Firewall),
                _loggerFactory,
                _clock);

            long startedAt = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            using var metrics = new CaptureMetrics(() => StatsCounters(engine.GetStatistics(), counters, eve, pcapLog), _clock);
            using PrometheusEndpoint? prometheus = StartPrometheus(sources, () => StatsCounters(engine.GetStatistics(), counters, eve, pcapLog));
            UnixControlServer? control = StartControl(sources, engine, counters, eve, pcapLog, signals.RequestStop);
            ProgressReporter? progress = _options.Interactive && sources.All(s => (s.Capabilities & CaptureCapabilities.Offline) != 0)
                ? new ProgressReporter(output, engine.GetStatistics, () => counters.Alerts)
                : null;
            PeriodicStats? stats = _configuration.Stats.Enabled
                ? new PeriodicStats(_clock, TimeSpan.FromSeconds(_configuration.Stats.Interval), () => eve.WriteStats(NowNanoseconds(), Uptime(startedAt), StatsCounters(engine.GetStatistics(), counters, eve, pcapLog)))
                : null;
            using CancellationTokenRegistration statsStop = stats is null ? default : cancellationToken.Register(stats.Stop);
            Exception? failure = null;
            using ServiceNotifier notifier = new(_logger);
            using CancellationTokenRegistration stopping = cancellationToken.Register(notifier.Stopping);
            bool stoppedBeforeStart = false;
            Task ready = Task.CompletedTask;
            try
            {
                engine.Run(sources, cancellationToken, () =>
                {
                    DetectLog.CaptureStarted(_logger, sources.Count);
                    if (live)
                    {
                        ready = ReadyAfterStartupCompilesAsync(notifier, cancellationToken);
                    }
                    else
                    {
                        notifier.Ready();
                    }
                });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !engine.SourcesStarted)
            {
                stoppedBeforeStart = true;
            }
            catch (Exception e) when (e is CaptureException or AggregateException or IOException)
            {
                failure = e;
            }
            finally
            {
                stats?.Dispose();
                ready.GetAwaiter().GetResult();
                if (progress is not null)
                {
                    Blocking.Wait(progress.DisposeAsync());
                }

                if (control is not null)
                {
                    Blocking.Wait(control.DisposeAsync());
                }
            }

            DisposeAll(sources);

            // Every worker has ended its flows: the last events reach the EVE file before its stats and the summary.
            flowEnds.Dispose();
            // The workers have stopped: what they queued for pcap-log is written before the summary.
            pcapLog?.Dispose();
            if (stoppedBeforeStart)
            {
                output.WriteLine("Detect.Sample: stopped before the capture started; nothing was read");
                return ExitCodes.Success;
            }

            if (failure is not null && !engine.SourcesStarted)
            {
                // Nothing ran: no summary and no stats event for a capture that never started.
                throw new HostExitException(ExitCodes.RuntimeError, failure.Message, failure);
            }

            EngineStatistics final = engine.GetStatistics();
            if (_configuration.Stats.Enabled)
            {
                eve.WriteStats(NowNanoseconds(), Uptime(startedAt), StatsCounters(final, counters, eve, pcapLog));
            }

            // Closed before the summary: a Redis output gets its bounded time to deliver what waits, and the summary says what did not arrive.
            eve.Dispose();
            RunSummary.Write(output, final, sink, counters, rules, eve, elapsed.Elapsed);
            if (failure is not null)
            {
                throw new HostExitException(ExitCodes.RuntimeError, failure.Message, failure);
            }

            if (eve.Writers.FirstOrDefault(w => w.Options.StopOnWriteError && w.EventsLost > 0) is { } failed)
            {
                throw new HostExitException(ExitCodes.RuntimeError, $"stopped because writing {failed.Path} failed ({failed.WriteError}); {failed.EventsLost} event(s) lost");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                DetectLog.StopRequested(_logger);
            }
        }

        return ExitCodes.Success;
    }

    private void ReopenFileLog(FileLoggerProvider fileLog)
    {
        try
        {
            fileLog.Reopen();
        }
        catch (IOException e)
        {
            DetectLog.LogReopenFailed(_logger, fileLog.Path ?? "the log file", e.Message);
        }
    }

    /// <summary>The Prometheus endpoint when <c>metrics.prometheus.enabled</c>; null when off.</summary>
    private PrometheusEndpoint? StartPrometheus(IReadOnlyList<ICaptureSource> sources, Func<IEnumerable<StatsCounter>> read)
    {
        if (_configuration.Root.Find("metrics.prometheus") is not { Kind: ConfigNodeKind.Mapping } node || !node.GetBoolean("enabled", false))
        {
            return null;
        }

        try
        {
            var endpoint = new PrometheusEndpoint(node.GetString("listen", "127.0.0.1") ?? "127.0.0.1", (int)node.GetInt64("port", 9917, 1, 65535), read);
            DetectLog.MetricsListening(_logger, endpoint.Url);
            return endpoint;
        }
        catch (IOException e)
        {
            DisposeAll(sources);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }
    }

    /// <summary>
    /// READY=1 for a live capture once the runtime's recompiles of the start-up are done: the
    /// capture already runs, and a service manager's "started" then means its CPU goes to packets.
    /// </summary>
    private async Task ReadyAfterStartupCompilesAsync(ServiceNotifier notifier, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            bool settled = await StartupCompiles.SettleAsync(cancellationToken).ConfigureAwait(false);
            DetectLog.StartupCompilesWaited(_logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds, settled);
        }
        catch (OperationCanceledException)
        {
            // Stopping before READY: STOPPING=1 follows from the token; READY=1 is not sent.
            return;
        }

        notifier.Ready();
    }

    private void WarmPacketPath(DetectionOptions detection)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            long bypasses = PacketPathWarmUp.Run(_configuration.Flow, detection, ToEveWriterOptions(_configuration), out int passes);
            DetectLog.PacketPathWarmed(_logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds, passes * PacketPathWarmUp.Rounds, bypasses);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the first packets' speed depends on it: the run goes on.
            DetectLog.PacketPathNotWarmed(_logger, e);
        }
    }

    private ICaptureSourceFactory CaptureFactory()
    {
        if (_plugins.Find(_options.CaptureName) is null)
        {
            throw new HostExitException(ExitCodes.UsageError, _plugins.DescribeMissing(_options.CaptureName));
        }

        try
        {
            return _plugins.GetSourceFactory(_services, _options.CaptureName);
        }
        catch (CapturePluginException e)
        {
            throw new HostExitException(ExitCodes.UsageError, $"capture plugin '{_options.CaptureName}' cannot be used: {e.Message}", e);
        }
    }

    /// <summary>One writer per enabled eve-log (or the one that is off, for a run without any); on a failure the ones opened are closed.</summary>
    private EveOutputs OpenEveOutputs(LogDirectory logs, bool inIface, Action stop)
    {
        IReadOnlyList<EveLogOptions> logOptions = _configuration.EveLogs.Count > 0 ? _configuration.EveLogs : [_configuration.EveLog];
        var writers = new List<EveWriter>();
        var redis = new List<IBufferedEveDestination>();
        ILogger writerLogger = _loggerFactory.CreateLogger<EveWriter>();
        try
        {
            foreach (EveLogOptions options in logOptions)
            {
                EveWriterOptions settings = ToEveWriterOptions(options) with { InIface = inIface, Host = _configuration.SensorName };
                if (options.Redis is { } server)
                {
                    IBufferedEveDestination destination = OpenRedis(server, writerLogger);
                    redis.Add(destination);
                    writers.Add(new EveWriter(destination, settings, writerLogger, stop, _clock));
                }
                else
                {
                    writers.Add(new EveWriter(logs, settings, writerLogger, stop, _clock));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Each writer owns its destination; only a writer's own constructor could throw after its destination opened, and it throws no I/O error.
            writers.ForEach(w => w.Dispose());
            throw;
        }

        FastLog? fast = null;
        try
        {
            TextLogOptions? fastOptions = TextLogOptions.Read(_configuration.Root, "fast", "fast.log");
            TextLogOptions? statsOptions = TextLogOptions.Read(_configuration.Root, "stats", "stats.log");
            fast = fastOptions is null ? null : new FastLog(logs, fastOptions, _configuration.EveLog.FileMode, _logger);
            StatsLog? stats = statsOptions is null ? null : new StatsLog(logs, statsOptions, _configuration.EveLog.FileMode, _logger);
            return new EveOutputs(writers, redis, fast, stats);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigurationException)
        {
            writers.ForEach(w => w.Dispose());
            fast?.Dispose();
            if (e is ConfigurationException)
            {
                throw new HostExitException(ExitCodes.UsageError, e.Message, e);
            }

            throw;
        }
    }

    // Its own method, never inlined: a run without a Redis output does not load the client library.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IBufferedEveDestination OpenRedis(EveRedisOptions server, ILogger logger) => new EveRedisDestination(server, logger);

    internal static EveWriterOptions ToEveWriterOptions(HostConfiguration configuration) => ToEveWriterOptions(configuration.EveLog) with { Host = configuration.SensorName };

    internal static EveWriterOptions ToEveWriterOptions(EveLogOptions eve)
    {
        return new EveWriterOptions
        {
            Flow = eve.Writes("flow"),
            FlowExceptionPolicy = eve.TypeSettings.TryGetValue("flow", out ConfigNode? flow) && flow.GetBoolean("exception-policy", false),
            Alert = eve.Writes("alert"),
            Stats = eve.Writes("stats"),
            AnomalyDecode = AnomalyTypeOn(eve, "decode", false),
            AnomalyStream = AnomalyTypeOn(eve, "stream", false),
            AnomalyApplayer = AnomalyTypeOn(eve, "applayer", true),
            AnomalyPacketHeader = eve.TypeSettings.TryGetValue("anomaly", out ConfigNode? header) && header.GetBoolean("packethdr", false),
            Drop = eve.Writes("drop"),
            DropAlerts = eve.TypeSettings.TryGetValue("drop", out ConfigNode? drop) && drop.GetBoolean("alerts", false),
            DropFlowsAll = drop is not null && string.Equals(drop.GetString("flows"), "all", StringComparison.Ordinal),
            DropVerdict = drop is not null && drop.GetBoolean("verdict", false),
            HostCounters = eve.TypeSettings.TryGetValue("stats", out ConfigNode? stats) && stats.GetBoolean("host-counters", false),
            CommunityId = eve.CommunityId,
            CommunityIdSeed = eve.CommunityIdSeed,
            Ethernet = eve.Ethernet,
            FileName = eve.FileName,
            Append = eve.Append,
            FileMode = eve.FileMode,
            FlushInterval = eve.FlushInterval,
            StopOnWriteError = eve.StopOnWriteError,
        };
    }

    /// <summary>
    /// Whether anomaly records of one type are on: <c>- anomaly</c> is listed and enabled, and its
    /// <c>types</c> say so, else Suricata's default (applayer only).
    /// </summary>
    private static bool AnomalyTypeOn(EveLogOptions eve, string type, bool byDefault)
    {
        if (!eve.Writes("anomaly"))
        {
            return false;
        }

        if (!eve.TypeSettings.TryGetValue("anomaly", out ConfigNode? anomaly))
        {
            return byDefault;
        }

        return anomaly.GetBoolean("enabled", true) && (anomaly["types"] is { } types ? types.GetBoolean(type, byDefault) : byDefault);
    }

    private static IEnumerable<StatsCounter> StatsCounters(EngineStatistics engine, DetectionCounters detection, EveOutputs eve, PcapLog? pcapLog)
    {
        foreach (StatsCounter counter in eve.Counters())
        {
            yield return counter;
        }

        if (pcapLog is not null)
        {
            yield return new StatsCounter("pcap_log.written", pcapLog.Written);
            yield return new StatsCounter("pcap_log.dropped", pcapLog.Dropped);
        }

        foreach (KeyValuePair<string, long> counter in engine.Enumerate())
        {
            yield return new StatsCounter(counter.Key, counter.Value);
        }

        foreach (StatsCounter counter in detection.Enumerate())
        {
            yield return counter;
        }
    }

    /// <summary><c>stream.midstream-policy</c> / <c>exception-policy</c>, resolved as Suricata resolves them for this mode.</summary>
    private ExceptionPolicy ReadMidstreamPolicy()
    {
        ConfigNode? midstream = _configuration.Root.Find("stream.midstream-policy");
        ConfigNode? master = _configuration.Root["exception-policy"];
        bool pickup = _configuration.Root["stream"] is { Kind: ConfigNodeKind.Mapping } stream && stream.GetBoolean("midstream", false);
        return ExceptionPolicies.ResolveMidstream(midstream?.Value, master?.Value, _options.SimulateIps, pickup)
            ?? throw new HostExitException(ExitCodes.UsageError, (midstream ?? master)!.Error("expected auto, ignore, bypass, pass-flow, drop-flow, drop-packet or reject").Message);
    }

    private PcapLogOptions? ReadPcapLogOptions()
    {
        try
        {
            PcapLogOptions? options = PcapLogOptions.Read(_configuration.Root);
            if (options is not null)
            {
                options.FileMode = _configuration.EveLog.FileMode;
            }

            return options;
        }
        catch (ConfigurationException e)
        {
            throw new HostExitException(ExitCodes.UsageError, e.Message, e);
        }
    }

    private static void DisposeAll(IReadOnlyList<ICaptureSource> sources)
    {
        foreach (ICaptureSource source in sources)
        {
            Blocking.Wait(source.DisposeAsync());
        }
    }

    private RuleSet LoadRules()
    {
        if (_options.DisableDetection)
        {
            return RuleSet.Empty;
        }

        IReadOnlyList<string> files = _options.RuleFiles;
        var existing = new List<string>();
        var missing = new List<string>();
        foreach (string file in files)
        {
            if (File.Exists(file))
            {
                existing.Add(file);
            }
            else if (_options.RulesFromCommandLine)
            {
                throw new HostExitException(ExitCodes.UsageError, $"-S: rules file {file} not found");
            }
            else
            {
                missing.Add(file);
            }
        }

        (Dictionary<string, string> addresses, Dictionary<string, string> ports) = ReadVariables(_configuration.Root);
        IpReputation? reputation = LoadReputation();
        IReadOnlyList<string> firewallFiles = FirewallMode ? FirewallConfiguration.RuleFiles(_configuration.Root, _options.FirewallRulesFile) : [];
        if (_options.FirewallRulesFile is not null && !File.Exists(firewallFiles[0]))
        {
            throw new HostExitException(ExitCodes.UsageError, $"--firewall-rules-exclusive: firewall rules file {firewallFiles[0]} not found");
        }

        RuleSet rules = RuleFileLoader.Load(existing, addresses, ports, firewallFiles, reputation);
        if (FirewallMode)
        {
            DetectLog.FirewallMode(_logger, rules.Rules.Count(r => r.Firewall is not null), firewallFiles.Count == 0 ? "no file (everything is dropped)" : string.Join(", ", firewallFiles));
        }

        foreach (RuleLoadError error in rules.Errors)
        {
            DetectLog.RuleSkipped(_logger, error.ToString());
        }

        // As Suricata: a missing rules file and a rule that cannot be loaded are warnings, and the
        // run goes on with what loaded (even nothing); --init-errors-fatal makes them fatal.
        if (_options.InitErrorsFatal && missing.Count > 0)
        {
            throw new HostExitException(ExitCodes.UsageError, $"--init-errors-fatal: rule-files: {string.Join(", ", missing)} not found");
        }

        foreach (string file in missing)
        {
            DetectLog.RulesFileMissing(_logger, file, rules.Rules.Count);
        }

        DetectLog.RulesLoaded(_logger, rules.Rules.Count, rules.Files.Count, rules.Errors.Count);
        if ((_options.InitErrorsFatal || _options.TestConfiguration) && rules.Errors.Count > 0)
        {
            // -T checks the rules: as Suricata's, it fails on any rule that does not load.
            string option = _options.InitErrorsFatal ? "--init-errors-fatal" : "-T";
            throw new HostExitException(ExitCodes.UsageError, $"{option}: {rules.Errors.Count} rule(s) could not be loaded; first: {rules.Errors[0]}");
        }

        if (rules.Rules.Count == 0 && files.Count > 0)
        {
            DetectLog.NoRulesLoaded(_logger, files.Count);
        }

        return rules;
    }

    /// <summary>Firewall mode: the command line or the configuration's <c>firewall</c> section.</summary>
    private bool FirewallMode => FirewallConfiguration.Enabled(_configuration.Root, _options.Firewall, _options.FirewallRulesFile);

    /// <summary>IP reputation for <c>iprep</c>, as Suricata loads it with the detection engine: a bad setting or categories file stops the start.</summary>
    private IpReputation? LoadReputation()
    {
        IpReputation? reputation;
        try
        {
            reputation = FirewallConfiguration.Reputation(_configuration.Root);
        }
        catch (InvalidDataException e)
        {
            throw new HostExitException(ExitCodes.UsageError, e.Message, e);
        }

        if (reputation is null)
        {
            return null;
        }

        foreach (string problem in reputation.BadLines.Concat(reputation.UnreadableFiles))
        {
            DetectLog.ReputationProblem(_logger, problem);
        }

        if (_options.InitErrorsFatal && reputation.UnreadableFiles.Count > 0)
        {
            throw new HostExitException(ExitCodes.UsageError, $"--init-errors-fatal: {reputation.UnreadableFiles[0]}");
        }

        return reputation;
    }

    internal static (Dictionary<string, string> Addresses, Dictionary<string, string> Ports) ReadVariables(ConfigNode root)
    {
        var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
        var ports = new Dictionary<string, string>(StringComparer.Ordinal);
        Read(root.Find("vars.address-groups"), addresses);
        Read(root.Find("vars.port-groups"), ports);
        return (addresses, ports);

        static void Read(ConfigNode? node, Dictionary<string, string> into)
        {
            if (node is null)
            {
                return;
            }

            if (node.Kind != ConfigNodeKind.Mapping)
            {
                throw new ConfigurationException(node.File, node.Line, node.Path, "expected a mapping of NAME: value");
            }

            foreach ((string name, ConfigNode value) in node.Entries)
            {
                if (value.Kind != ConfigNodeKind.Scalar || string.IsNullOrWhiteSpace(value.Value))
                {
                    throw value.Error("expected an address or port expression, e.g. \"[10.0.0.0/8,!10.1.0.0/16]\"");
                }

                into[name] = value.Value.Trim();
            }
        }
    }

    private UnixControlServer? StartControl(IReadOnlyList<ICaptureSource> sources, CaptureEngine engine, DetectionCounters counters, EveOutputs eve, PcapLog? pcapLog, Action requestStop)
    {
        UnixCommandOptions unix = _configuration.UnixCommand;
        if (!unix.Enabled || (unix.LiveOnly && sources.All(s => (s.Capabilities & CaptureCapabilities.Offline) != 0)))
        {
            return null;
        }

        var registry = new ControlCommandRegistry(_clock);
        // One entry per interface, summing its fanout sockets, as Suricata's iface-list shows them.
        foreach (ControlInterface controlInterface in ControlInterface.FromSources(sources))
        {
            registry.AddInterface(controlInterface);
        }

        registry.SetShutdown(requestStop);
        registry.SetCounters(() => [.. StatsCounters(engine.GetStatistics(), counters, eve, pcapLog).Select(c => new KeyValuePair<string, long>(c.Name, c.Value))]);
        string path = Path.IsPathRooted(unix.FileName) ? unix.FileName : Path.Combine(_options.LogDirectory, unix.FileName);
        UnixControlServer server = UnixControlServer.Start(path, registry, _loggerFactory.CreateLogger<UnixControlServer>(), unix.Limits);
        DetectLog.ControlListening(_logger, server.Path);
        return server;
    }

    private long NowNanoseconds() => EveFormat.UnixNanoseconds(_clock.GetUtcNow());

    private long Uptime(long startedAtMilliseconds) => (_clock.GetUtcNow().ToUnixTimeMilliseconds() - startedAtMilliseconds) / 1000;
}
