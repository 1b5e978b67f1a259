using System.Reflection;
using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Plugins;
using Detect.Sample.CommandLine;
using Detect.Sample.Console;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Detect.Sample.Hosting;

/// <summary>
/// The process: parse the command line, load and bind the configuration, load the capture
/// plugins into the run's services, run, and map every failure to an exit code and
/// one line on stderr.
/// </summary>
/// <remarks>
/// Synchronous down to the engine's run, which it waits for: the main thread has nothing else
/// to do, and each async method that suspended had its state machine's box JIT compiled at every
/// start (ReadyToRun images cannot hold those instantiations).
/// </remarks>
internal static class DetectProgram
{
    public const string Name = "Detect.Sample";

    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        CommandLineOptions command;
        try
        {
            command = CommandLineParser.Parse(args);
        }
        catch (UsageException e)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return ExitCodes.UsageError;
        }

        if (command.Help)
        {
            output.WriteLine(CommandLineParser.Usage);
            return ExitCodes.Success;
        }

        if (command.Version)
        {
            output.WriteLine(BuildInfo.VersionLine);
            return ExitCodes.Success;
        }

        if (command.BuildInfo)
        {
            output.WriteLine(BuildInfo.Describe());
            return ExitCodes.Success;
        }

        int code = RunParsed(command, output, error, interactive, cancellationToken);
        // -T answers as Suricata's does: 0, the configuration and rules load; 1, they do not.
        return command.TestConfiguration && code != ExitCodes.Success ? ExitCodes.RuntimeError : code;
    }

    private static int RunParsed(CommandLineOptions command, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        // Until logging: is read, the console logs at -v's level; suricata.log waits for it.
        var console = new ConsoleLineLoggerProvider(new ConsoleLineFormatter(stackTraces: command.Verbosity > 0), System.Console.Error, ConsoleLevel(command.Verbosity));
        using var fileLog = new FileLoggerProvider();
        // Each provider holds its own level (logging: sets them once the configuration is read).
        using ILoggerFactory loggerFactory = new LineLoggerFactory(console, fileLog);
        using var signals = new ProcessSignals(loggerFactory.CreateLogger(Name));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Stopping);
        try
        {
            ServiceProvider services = Build(command, loggerFactory, interactive, console, fileLog, out DetectRun run, out bool hostedServices);
            try
            {
                if (command.TestConfiguration)
                {
                    return run.Test(output);
                }

                // Written once the configuration and the plugins are good; removed on every way out.
                using PidFile? pidFile = command.PidFile is null ? null : PidFile.Create(command.PidFile);
                if (pidFile is not null)
                {
                    signals.OnAbandon(pidFile.Dispose);
                }

                IHostedService[] hosted = hostedServices ? [.. services.GetServices<IHostedService>()] : [];
                foreach (IHostedService service in hosted)
                {
                    service.StartAsync(stop.Token).GetAwaiter().GetResult();
                }

                stop.Token.ThrowIfCancellationRequested();
                int code = run.Run(output, signals, stop.Token);
                for (int i = hosted.Length - 1; i >= 0; i--)
                {
                    hosted[i].StopAsync(CancellationToken.None).GetAwaiter().GetResult();
                }

                return code;
            }
            finally
            {
                // Asynchronously: a plugin's service may be IAsyncDisposable only.
                Blocking.Wait(services.DisposeAsync());
            }
        }
        catch (HostExitException e)
        {
            error.WriteLine($"{Name}: {e.Message}");
            return e.ExitCode;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"{Name}: configuration error: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (CapturePluginException e)
        {
            error.WriteLine($"{Name}: plugin error: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            error.WriteLine($"{Name}: stopped before the capture started");
            return ExitCodes.RuntimeError;
        }
#pragma warning disable CA1031 // The process boundary: anything unexpected still ends with one line and exit code 1.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"{Name}: unexpected error: {e.GetType().Name}: {e.Message}");
            if (command.Verbosity > 0)
            {
                error.WriteLine(e.ToString());
            }

            return ExitCodes.RuntimeError;
        }
    }

    /// <summary>
    /// The run's services: ours and the plugins'. A service container, not the Generic Host: the
    /// host's builder set up configuration sources, a content-root file provider, metrics and a
    /// lifetime this process never used (~8 ms of CPU at every start); what the host did here is
    /// done in <see cref="RunParsed"/>: a plugin's hosted services start before the run and
    /// stop after it, and the signals stop the run through its token.
    /// </summary>
    /// <param name="run">The run, made directly: its constructor is not looked up by reflection.</param>
    /// <param name="hostedServices">Whether a plugin registered an <see cref="IHostedService"/>.</param>
    private static ServiceProvider Build(CommandLineOptions command, ILoggerFactory loggerFactory, bool interactive, ConsoleLineLoggerProvider console, FileLoggerProvider fileLog, out DetectRun run, out bool hostedServices)
    {
        ILogger logger = loggerFactory.CreateLogger(Name);
        string configFile = Path.GetFullPath(command.ConfigFile ?? Path.Combine(AppContext.BaseDirectory, "detect.yaml"));
        ConfigNode root = SuricataYaml.Load(configFile);
        if (command.Overrides.Count > 0)
        {
            ConfigOverrides.Apply(root, command.Overrides.ConvertAll(o => $"{o.Key}={o.Value}"));
        }

        // Logging first: the configuration's own warnings then reach suricata.log too.
        LoggingOptions logging = LoggingOptions.Read(root, command.Verbosity);
        console.Configure(logging);
        fileLog.Configure(logging);
        if (logging.Syslog is { } syslog)
        {
            DetectLog.SyslogNotWritten(logger, syslog.Location);
        }

        // The plugins come first: the configuration is checked against the sections they declare.
        // The default root, then YAML plugins:, then --plugin-dir; a broken plugin this run does not use is skipped.
        var plugins = new CapturePluginLoadOptions { Configuration = root, LoggerFactory = loggerFactory };
        foreach (string directory in HostConfiguration.ReadPluginDirectories(root).Concat(command.PluginDirectories))
        {
            plugins.PluginRoots.Add(directory);
        }

        foreach (ICapturePlugin builtIn in BuiltInCapturePlugins.Create())
        {
            plugins.BuiltInPlugins.Add(builtIn);
        }

        plugins.LoadsAssemblies = !BuiltInCapturePlugins.AheadOfTime;
        plugins.RequiredPlugins = [command.CaptureName];
        plugins.LoadRequiredOnly = true;
        var loader = new CapturePluginLoader(plugins);
        IReadOnlyList<LoadedCapturePlugin> loaded = loader.Load();

        // The binder logs each warning once as it finds it.
        HostConfiguration configuration = HostConfiguration.Bind(
            root, logger, [.. DetectSections.All, .. loaded.SelectMany(plugin => plugin.Plugin.ConfigurationSections)]);

        DetectRunOptions options = Resolve(command, configuration, configFile, interactive);
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(configuration);
        services.AddSingleton(fileLog);
        CapturePluginCatalog catalog = loader.Register(services, loaded);
        hostedServices = services.Any(d => d.ServiceType == typeof(IHostedService));
        ServiceProvider provider = services.BuildServiceProvider();
        run = new DetectRun(provider, configuration, Options.Create(options), catalog, loggerFactory, TimeProvider.System);
        return provider;
    }

    private static DetectRunOptions Resolve(CommandLineOptions command, HostConfiguration configuration, string configFile, bool interactive)
    {
        string captureName = command.CaptureName;
        string? target = command.Interface ?? command.ReadPath;
        if (target is not null && command.ReadPath is not null)
        {
            target = Path.GetFullPath(target);
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                throw new HostExitException(ExitCodes.UsageError, $"-r: {command.ReadPath}: no such file or directory");
            }
        }
        else if (target is null && string.Equals(captureName, "pcap-file", StringComparison.Ordinal))
        {
            // No capture named: the shipped sample, so that the bare run command shows something.
            target = Path.Combine(AppContext.BaseDirectory, "samples", "sample.pcap");
            if (!File.Exists(target))
            {
                throw new HostExitException(ExitCodes.UsageError, $"no capture given (-r) and the shipped sample {target} is missing; rebuild Detect.Sample");
            }
        }

        string logDirectory = Path.GetFullPath(command.LogDirectory ?? configuration.DefaultLogDirectory ?? "logs");
        return new DetectRunOptions
        {
            CaptureName = captureName,
            Target = target,
            LogDirectory = logDirectory,
            // -k, or auto: the capture's own checksum-checks decides (pcap-file's, or the interface's).
            Checksums = command.Checksums,
            Interactive = interactive,
            ConfigFile = configFile,
            RuleFiles = command.RulesFile is not null ? [Path.GetFullPath(command.RulesFile)] : configuration.RuleFiles,
            RulesFromCommandLine = command.RulesFile is not null,
            InitErrorsFatal = command.InitErrorsFatal,
            TestConfiguration = command.TestConfiguration,
            DisableDetection = command.DisableDetection,
            SimulateIps = command.SimulateIps,
            Firewall = command.Firewall,
            FirewallRulesFile = command.FirewallRulesFile,
            RunMode = command.RunMode,
        };
    }

    /// <summary>
    /// The console's level until <c>logging:</c> is read (-v's). Logs go to stderr, one line each;
    /// stdout carries the run's own output (where it writes, the summary).
    /// </summary>
    private static LogLevel ConsoleLevel(int verbosity) => verbosity switch
    {
        0 => LogLevel.Warning,
        1 => LogLevel.Information,
        2 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}
