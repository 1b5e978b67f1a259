using System.Diagnostics;
using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Control;
using Capture.Hosting.Plugins;
using Detect.Sample.Console;
using Detect.Sample.Detection;
using Detect.Sample.Metrics;
using Detect.Sample.Output;
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
        RuleSet rules = LoadRules();
        output.WriteLine(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"Detect.Sample: configuration {_options.ConfigFile} is good: capture plugin {_options.CaptureName}; {rules.Rules.Count} rules loaded from {rules.Files.Count} file(s), {rules.Errors.Count} failed"));
        return ExitCodes.Success;
    }

    public async Task<int> RunAsync(TextWriter output, ProcessSignals signals, CancellationToken cancellationToken)
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
        };

        DetectLog.Starting(_logger, _options.ConfigFile, _options.CaptureName, _options.Target ?? "(from the configuration)", _options.LogDirectory);
        IReadOnlyList<ICaptureSource> sources;
        try
        {
            sources = factory.CreateSources(new CaptureSourceRequest
            {
                Target = _options.Target,
                Configuration = _configuration.Root,
                Checksums = _options.Checksums,
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
        if (sources.Any(s => (s.Capabilities & CaptureCapabilities.Live) != 0))
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
                await DisposeAllAsync(sources).ConfigureAwait(false);
                throw e as HostExitException ?? new HostExitException(ExitCodes.UsageError, e.Message, e);
            }
        }

        // The configuration and the capture are valid: only now is anything in the log directory touched.
        LogDirectory logs;
        EveWriter eve;
        try
        {
            logs = LogDirectory.Open(_options.LogDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await DisposeAllAsync(sources).ConfigureAwait(false);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        try
        {
            eve = new EveWriter(logs, ToEveWriterOptions(_configuration), _loggerFactory.CreateLogger<EveWriter>(), signals.RequestStop, _clock);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logs.Dispose();
            await DisposeAllAsync(sources).ConfigureAwait(false);
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
            logs.Dispose();
            await DisposeAllAsync(sources).ConfigureAwait(false);
            throw new HostExitException(ExitCodes.RuntimeError, e.Message, e);
        }

        using (logs)
        using (eve)
        using (pcapLog)
        {
            signals.OnReopen(eve.Reopen);
            // Closing (not just flushing) keeps any worker from starting a write that the exit would cut.
            signals.OnAbandon(eve.Dispose);
            output.WriteLine($"Detect.Sample: reading {_options.Target ?? _options.CaptureName} with the {_options.CaptureName} plugin; writing {eve.Path}");
            var counters = new DetectionCounters();
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
                () => new DetectionInspector(detector, slot, eve, counters, inspectorLogger, pcapLog),
                _loggerFactory,
                _clock);

            long startedAt = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            using var metrics = new CaptureMetrics(() => StatsCounters(engine.GetStatistics(), counters, pcapLog), _clock);
            UnixControlServer? control = StartControl(sources, engine, counters, pcapLog, signals.RequestStop);
            ProgressReporter? progress = _options.Interactive && sources.All(s => (s.Capabilities & CaptureCapabilities.Offline) != 0)
                ? new ProgressReporter(output, engine.GetStatistics, () => counters.Alerts)
                : null;
            using var statsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task statsLoop = _configuration.Stats.Enabled ? WriteStatsPeriodicallyAsync(eve, engine, counters, pcapLog, startedAt, statsStop.Token) : Task.CompletedTask;
            Exception? failure = null;
            using ServiceNotifier notifier = new(_logger);
            using CancellationTokenRegistration stopping = cancellationToken.Register(notifier.Stopping);
            bool stoppedBeforeStart = false;
            try
            {
                await engine.RunAsync(sources, cancellationToken, () =>
                {
                    DetectLog.CaptureStarted(_logger, sources.Count);
                    notifier.Ready();
                }).ConfigureAwait(false);
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
                await statsStop.CancelAsync().ConfigureAwait(false);
                await statsLoop.ConfigureAwait(false);
                if (progress is not null)
                {
                    await progress.DisposeAsync().ConfigureAwait(false);
                }

                if (control is not null)
                {
                    await control.DisposeAsync().ConfigureAwait(false);
                }
            }

            await DisposeAllAsync(sources).ConfigureAwait(false);

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
                eve.WriteStats(NowNanoseconds(), Uptime(startedAt), StatsCounters(final, counters, pcapLog));
            }

            eve.Flush();
            RunSummary.Write(output, final, sink, counters, rules, eve, elapsed.Elapsed);
            if (failure is not null)
            {
                throw new HostExitException(ExitCodes.RuntimeError, failure.Message, failure);
            }

            if (eve.Options.StopOnWriteError && eve.EventsLost > 0)
            {
                throw new HostExitException(ExitCodes.RuntimeError, $"stopped because writing {eve.Path} failed ({eve.WriteError}); {eve.EventsLost} event(s) lost");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                DetectLog.StopRequested(_logger);
            }
        }

        return ExitCodes.Success;
    }

    private void WarmPacketPath(DetectionOptions detection)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            long bypasses = PacketPathWarmUp.Run(_configuration.Flow, detection, ToEveWriterOptions(_configuration));
            DetectLog.PacketPathWarmed(_logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds, PacketPathWarmUp.Rounds, bypasses);
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

    internal static EveWriterOptions ToEveWriterOptions(HostConfiguration configuration)
    {
        EveLogOptions eve = configuration.EveLog;
        ConfigNode? eveNode = FindEveLog(configuration.Root);
        return new EveWriterOptions
        {
            Flow = eve.Writes("flow"),
            Alert = eve.Writes("alert"),
            Stats = eve.Writes("stats"),
            CommunityId = eve.CommunityId,
            CommunityIdSeed = eve.CommunityIdSeed,
            Ethernet = eveNode?.GetBoolean("ethernet", false) ?? false,
            FileName = eve.FileName,
            Append = eve.Append,
            FileMode = eve.FileMode,
            FlushInterval = eve.FlushInterval,
            StopOnWriteError = eve.StopOnWriteError,
        };
    }

    private static ConfigNode? FindEveLog(ConfigNode root)
    {
        if (root["outputs"] is not { Kind: ConfigNodeKind.Sequence } outputs)
        {
            return null;
        }

        foreach (ConfigNode item in outputs.Items)
        {
            if (item["eve-log"] is { Kind: ConfigNodeKind.Mapping } eve)
            {
                return eve;
            }
        }

        return null;
    }

    private static IEnumerable<StatsCounter> StatsCounters(EngineStatistics engine, DetectionCounters detection, PcapLog? pcapLog)
    {
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

    private static async Task DisposeAllAsync(IReadOnlyList<ICaptureSource> sources)
    {
        foreach (ICaptureSource source in sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    private RuleSet LoadRules()
    {
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
        RuleSet rules = RuleFileLoader.Load(existing, addresses, ports);
        foreach (RuleLoadError error in rules.Errors)
        {
            DetectLog.RuleSkipped(_logger, error.ToString());
        }

        if (missing.Count > 0 && rules.Rules.Count == 0)
        {
            // As Suricata: a missing rules file is an error unless other files gave the run its rules.
            throw new HostExitException(ExitCodes.UsageError, $"rule-files: {string.Join(", ", missing)} not found, and no other file gave a rule");
        }

        foreach (string file in missing)
        {
            DetectLog.RulesFileMissing(_logger, file, rules.Rules.Count);
        }

        DetectLog.RulesLoaded(_logger, rules.Rules.Count, rules.Files.Count, rules.Errors.Count);
        if (_options.InitErrorsFatal && rules.Errors.Count > 0)
        {
            throw new HostExitException(ExitCodes.UsageError, $"--init-errors-fatal: {rules.Errors.Count} rule(s) could not be loaded; first: {rules.Errors[0]}");
        }

        if (rules.Rules.Count == 0 && rules.Errors.Count > 0)
        {
            // As Suricata: bad rules are skipped, but a rule set where nothing loads is an error.
            throw new HostExitException(ExitCodes.UsageError, $"no rule could be loaded; first error: {rules.Errors[0]}");
        }

        return rules;
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

    private UnixControlServer? StartControl(IReadOnlyList<ICaptureSource> sources, CaptureEngine engine, DetectionCounters counters, PcapLog? pcapLog, Action requestStop)
    {
        UnixCommandOptions unix = _configuration.UnixCommand;
        if (!unix.Enabled)
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
        registry.SetCounters(() => [.. StatsCounters(engine.GetStatistics(), counters, pcapLog).Select(c => new KeyValuePair<string, long>(c.Name, c.Value))]);
        string path = Path.IsPathRooted(unix.FileName) ? unix.FileName : Path.Combine(_options.LogDirectory, unix.FileName);
        UnixControlServer server = UnixControlServer.Start(path, registry, _loggerFactory.CreateLogger<UnixControlServer>(), unix.Limits);
        DetectLog.ControlListening(_logger, server.Path);
        return server;
    }

    private async Task WriteStatsPeriodicallyAsync(EveWriter eve, CaptureEngine engine, DetectionCounters counters, PcapLog? pcapLog, long startedAt, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_configuration.Stats.Interval), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                eve.WriteStats(NowNanoseconds(), Uptime(startedAt), StatsCounters(engine.GetStatistics(), counters, pcapLog));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended; the final stats event is written by the caller.
        }
    }

    private long NowNanoseconds() => _clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    private long Uptime(long startedAtMilliseconds) => (_clock.GetUtcNow().ToUnixTimeMilliseconds() - startedAtMilliseconds) / 1000;
}
