using Capture.Abstractions;

namespace Detect.Sample.CommandLine;

/// <summary>Parses Suricata-style arguments by hand: short options take the next argument, long options also accept <c>--name=value</c>.</summary>
internal static class CommandLineParser
{
    public const string Usage = """
        Usage: Detect.Sample [options]

        With no options, reads the shipped sample capture with the shipped configuration.

          -c <file>                 YAML configuration (default: detect.yaml beside the program)
          -r <file|directory>       read a pcap/pcapng file, or every capture in a directory
          -S <file>                 load only this rules file (replaces rule-files from the YAML)
          --set <key.path>=<value>  override a configuration key (repeatable)
          -k <all|none>             checksum validation
          --af-packet[=<iface>]     live capture with the af-packet plugin
          --pcap[=<dev>]            live capture through libpcap (the pcap plugin; any interface, 'any', lo)
          --capture-plugin <name>   capture with the named plugin (pcap-file, pcap, af-packet, netronome, ...)
          -l <dir>                  log directory for eve.json (default: ./logs)
          --plugin-dir <dir>        also load capture plugins from <dir> (repeatable)
          --pidfile <file>          write the process id there while running (refused when a live process holds it)
          -v                        more verbose logging (repeatable: -v, -vv, -vvv)
          --init-errors-fatal       a rule that cannot be loaded stops the start (default: skipped with a warning)
          --disable-detection       load no rules and inspect nothing (flows, stats and anomalies are still written)
          --simulate-ips            act as an inline (IPS) sensor on a capture file: drop rules drop
          --firewall                firewall mode: firewall rules (firewall.rule-files) run first, unaccepted traffic is dropped
          --firewall-rules-exclusive <file>  firewall mode with the firewall rules of this file only
          --runmode <mode>          threading: single (one worker), autofp or workers (several)
          --build-info              print what this build is and can do, then exit
          -T                        check the configuration, the capture plugin and the rules, then exit (0 good, 1 not)
          -V, --version             print the version and the capture contract version
          -h, --help                this text

        There is no -D: run the host under systemd (packaging/detect-sample.service, Type=notify).
        SIGTERM/SIGINT stop it with every flow logged, SIGHUP reopens eve.json.
        Exit codes: 0 success, 1 runtime error, 2 usage or configuration error.
        """;

    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CommandLineOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is int eq and > 2)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            switch (name)
            {
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--init-errors-fatal":
                    options.InitErrorsFatal = true;
                    break;
                case "--disable-detection":
                    options.DisableDetection = true;
                    break;
                case "--simulate-ips":
                    options.SimulateIps = true;
                    break;
                case "--firewall":
                    options.Firewall = true;
                    break;
                case "--firewall-rules-exclusive":
                    options.FirewallRulesFile = inline ?? Value(args, ref i, name);
                    break;
                case "--build-info":
                    options.BuildInfo = true;
                    break;
                case "--runmode":
                    string runMode = inline ?? Value(args, ref i, name);
                    options.RunMode = runMode switch
                    {
                        "single" => CommandLine.RunMode.Single,
                        "autofp" => CommandLine.RunMode.AutoFp,
                        "workers" => CommandLine.RunMode.Workers,
                        _ => throw new UsageException($"--runmode: '{runMode}' is not a run mode; expected single, autofp or workers"),
                    };
                    break;
                case "-T":
                    options.TestConfiguration = true;
                    break;
                case "-V" or "--version":
                    options.Version = true;
                    break;
                case "--pidfile":
                    options.PidFile = inline ?? Value(args, ref i, name);
                    break;
                case "-D":
                    throw new UsageException("-D: the host does not daemonize itself; run it under systemd (packaging/detect-sample.service, Type=notify) or another service manager");
                case "-c":
                    options.ConfigFile = Value(args, ref i, arg);
                    break;
                case "-r" or "--pcap-file":
                    options.ReadPath = inline ?? Value(args, ref i, name);
                    break;
                case "-S":
                    options.RulesFile = Value(args, ref i, arg);
                    break;
                case "-l":
                    options.LogDirectory = Value(args, ref i, arg);
                    break;
                case "-k":
                    string mode = Value(args, ref i, arg);
                    options.Checksums = mode switch
                    {
                        "all" => ChecksumMode.All,
                        "none" => ChecksumMode.None,
                        _ => throw new UsageException($"-k: '{mode}' is not allowed; expected all or none"),
                    };
                    break;
                case "--set":
                    string assignment = inline ?? Value(args, ref i, name);
                    int split = assignment.IndexOf('=', StringComparison.Ordinal);
                    if (split <= 0)
                    {
                        throw new UsageException($"--set: '{assignment}' is not of the form key.path=value");
                    }

                    options.Overrides.Add(new(assignment[..split].Trim(), assignment[(split + 1)..].Trim()));
                    break;
                case "--af-packet":
                    options.AfPacket = true;
                    options.Interface = string.IsNullOrEmpty(inline) ? null : inline;
                    break;
                case "--pcap":
                    options.Pcap = true;
                    options.Interface = string.IsNullOrEmpty(inline) ? null : inline;
                    break;
                case "--capture-plugin":
                    options.CapturePlugin = inline ?? Value(args, ref i, name);
                    break;
                case "--plugin-dir":
                    options.PluginDirectories.Add(inline ?? Value(args, ref i, name));
                    break;
                default:
                    if (arg.Length >= 2 && arg[0] == '-' && arg[1] != '-' && arg.AsSpan(1).Trim('v').IsEmpty)
                    {
                        options.Verbosity += arg.Length - 1;
                        break;
                    }

                    throw new UsageException(arg.StartsWith('-') ? $"unknown option '{arg}' (see --help)" : $"unexpected argument '{arg}' (see --help)");
            }
        }

        Validate(options);
        return options;
    }

    private static void Validate(CommandLineOptions options)
    {
        string? live = options.AfPacket ? "--af-packet" : options.Pcap ? "--pcap" : null;
        if (options.AfPacket && options.Pcap)
        {
            throw new UsageException("--af-packet and --pcap cannot be combined: choose one live capture");
        }

        if (options.ReadPath is not null && live is not null)
        {
            throw new UsageException($"-r and {live} cannot be combined: read a capture or capture live, not both");
        }

        string selected = options.AfPacket ? "af-packet" : "pcap";
        if (live is not null && options.CapturePlugin is not null && !string.Equals(options.CapturePlugin, selected, StringComparison.Ordinal))
        {
            throw new UsageException($"{live} and --capture-plugin {options.CapturePlugin} select different plugins");
        }

        if (options.CapturePlugin is { Length: 0 })
        {
            throw new UsageException("--capture-plugin needs a plugin name");
        }
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string option)
    {
        if (i + 1 >= args.Count || (args[i + 1].StartsWith('-') && args[i + 1].Length > 1))
        {
            throw new UsageException($"{option} needs a value (see --help)");
        }

        return args[++i];
    }
}
