using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Tests.Logging;
using FlowEngine.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Hosting.Tests.Configuration;

public sealed class HostConfigurationTests : IDisposable
{
    private readonly YamlFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Empty_configuration_gives_suricata_defaults()
    {
        HostConfiguration config = HostConfiguration.Bind(ConfigNode.CreateMapping(), NullLogger.Instance);

        Assert.Equal(65536, config.Flow.HashSize);
        Assert.Equal(10000, config.Flow.Prealloc);
        Assert.Equal(32L << 20, config.Flow.Memcap);
        Assert.Equal(30, config.Flow.EmergencyRecovery);
        Assert.Equal(new FlowTimeouts(30, 300, 10, 100, 10, 100, 5, 50), config.Flow.Timeouts.Tcp);
        Assert.Equal(new FlowTimeouts(30, 300, 0, 100, 10, 100, 0, 50), config.Flow.Timeouts.Default);
        Assert.Equal(60, config.Flow.Defrag.Timeout);
        Assert.True(config.Flow.VlanTracking);
        Assert.True(config.Flow.RecursionTracking);
        Assert.True(config.EveLog.Enabled);
        Assert.Equal("eve.json", config.EveLog.FileName);
        Assert.Equal(["alert", "flow", "stats"], config.EveLog.Types);
        Assert.True(config.Stats.Enabled);
        Assert.Equal(8, config.Stats.Interval);
        Assert.False(config.UnixCommand.Enabled);
        Assert.Equal(1L << 20, config.Stream.ReassemblyDepth);
        Assert.False(config.Stream.Bypass);
        Assert.Equal(TlsEncryptionHandling.Default, config.TlsEncryptionHandling);
        Assert.Empty(config.PluginDirectories);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Every_host_section_is_bound()
    {
        string path = _files.Write("full.yaml", """
            %YAML 1.1
            ---
            flow:
              memcap: 128mb
              hash-size: 131072
              prealloc: 20000
              emergency-recovery: 40
            flow-timeouts:
              default:
                new: 31
              tcp:
                new: 60
                established: 600
                closed: 60
                bypassed: 100
                emergency-new: 5
                emergency-established: 100
                emergency-closed: 10
                emergency-bypassed: 50
              udp:
                established: 120
            defrag:
              memcap: 64mb
              trackers: 1000
              max-frags: 2000
              timeout: 30
            vlan:
              use-for-tracking: false
            decoder:
              recursion-level:
                use-for-tracking: false
            pcap-file:
              checksum-checks: no
              recursive: no
            plugins:
              - plugins/extra
            outputs:
              - fast:
                  enabled: no
              - eve-log:
                  enabled: yes
                  filetype: regular
                  filename: events.json
                  community-id: yes
                  community-id-seed: 7
                  ethernet: yes
                  types:
                    - alert:
                        tagged-packets: yes
                    - flow
                    - stats:
                        totals: yes
            unix-command:
              enabled: auto
              filename: custom.socket
            stats:
              enabled: yes
              interval: 2
            default-rule-path: /etc/rules
            rule-files:
              - local.rules
              - /abs/other.rules
            stream:
              memcap: 64mb
              bypass: yes
              reassembly:
                depth: 512kb
            app-layer:
              protocols:
                tls:
                  encryption-handling: bypass
            """);

        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance);

        Assert.Equal(128L << 20, config.Flow.Memcap);
        Assert.Equal(131072, config.Flow.HashSize);
        Assert.Equal(20000, config.Flow.Prealloc);
        Assert.Equal(40, config.Flow.EmergencyRecovery);
        Assert.Equal(new FlowTimeouts(60, 600, 60, 100, 5, 100, 10, 50), config.Flow.Timeouts.Tcp);
        Assert.Equal(31, config.Flow.Timeouts.Default.New);
        Assert.Equal(120, config.Flow.Timeouts.Udp.Established);
        Assert.Equal(30, config.Flow.Timeouts.Udp.New);
        Assert.Equal(64L << 20, config.Flow.Defrag.Memcap);
        Assert.Equal(1000, config.Flow.Defrag.Trackers);
        Assert.Equal(2000, config.Flow.Defrag.MaxFragments);
        Assert.Equal(30, config.Flow.Defrag.Timeout);
        Assert.False(config.Flow.VlanTracking);
        Assert.False(config.Flow.RecursionTracking);
        Assert.True(config.EveLog.CommunityId);
        Assert.Equal(7, config.EveLog.CommunityIdSeed);
        Assert.Equal([Path.Combine(_files.Directory, "plugins", "extra")], config.PluginDirectories);
        Assert.Equal("events.json", config.EveLog.FileName);
        Assert.True(config.EveLog.Ethernet);
        Assert.Equal(["alert", "flow", "stats"], config.EveLog.Types);
        Assert.Equal("yes", config.EveLog.TypeSettings["alert"].GetString("tagged-packets"));
        Assert.True(config.UnixCommand.Enabled);
        Assert.EndsWith("custom.socket", config.UnixCommand.FileName, StringComparison.Ordinal);
        Assert.Equal(2, config.Stats.Interval);
        Assert.Equal(["/etc/rules/local.rules", "/abs/other.rules"], config.RuleFiles);
        Assert.True(config.Stream.Bypass);
        Assert.Equal(512L << 10, config.Stream.ReassemblyDepth);
        Assert.Equal(TlsEncryptionHandling.Bypass, config.TlsEncryptionHandling);
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("flow:\n  hash-size: many\n", 2, "flow.hash-size", "'many' is not allowed; expected an integer >= 1")]
    [InlineData("flow:\n  emergency-recovery: 200\n", 2, "flow.emergency-recovery", "200 is out of range; expected an integer 1..100")]
    [InlineData("flow:\n  memcap: lots\n", 2, "flow.memcap", "expected a size such as")]
    [InlineData("flow: [1, 2]\n", 1, "flow", "expected a mapping")]
    [InlineData("flow-timeouts:\n  tcp:\n    new: -1\n", 3, "flow-timeouts.tcp.new", "out of range")]
    [InlineData("stats:\n  interval: 0\n", 2, "stats.interval", "1..86400")]
    [InlineData("stats:\n  enabled: maybe\n", 2, "stats.enabled", "expected yes or no")]
    [InlineData("app-layer:\n  protocols:\n    tls:\n      encryption-handling: drop\n", 4, "app-layer.protocols.tls.encryption-handling", "expected one of: default, track-only, bypass, full")]
    [InlineData("outputs:\n  - eve-log:\n      filetype: syslog\n", 3, "outputs.0.eve-log.filetype", "not supported by this host; allowed: regular, redis")]
    [InlineData("outputs:\n  - eve-log:\n      community-id-seed: 70000\n", 3, "outputs.0.eve-log.community-id-seed", "0..65535")]
    [InlineData("unix-command:\n  enabled: sometimes\n", 2, "unix-command.enabled", "sometimes")]
    [InlineData("vlan:\n  use-for-tracking: perhaps\n", 2, "vlan.use-for-tracking", "expected yes or no")]
    [InlineData("defrag:\n  timeout: 0\n", 2, "defrag.timeout", "1..65535")]
    [InlineData("stream:\n  reassembly:\n    depth: deep\n", 3, "stream.reassembly.depth", "expected a size")]
    [InlineData("rule-files: { a: b }\n", 1, "rule-files", "expected a list (rule files; relative names")]
    [InlineData("threading:\n  detect-thread-ratio: lots\n", 2, "threading.detect-thread-ratio", "'lots' is not allowed; expected a number 0..1024")]
    [InlineData("outputs:\n  - eve-log: {}\n    fast: {}\n", 2, "outputs.0", "expected one item per list entry")]
    [InlineData("outputs:\n  - eve-log:\n      filename: ../eve.json\n", 3, "outputs.0.eve-log.filename", "'../eve.json' is not a plain file name")]
    [InlineData("outputs:\n  - eve-log:\n      filemode: 999\n", 3, "outputs.0.eve-log.filemode", "expected octal permissions")]
    [InlineData("outputs:\n  - eve-log:\n      flush-interval: 61\n", 3, "outputs.0.eve-log.flush-interval", "61 is out of range; expected a number 0..60")]
    [InlineData("outputs:\n  - eve-log:\n      write-error: ignore\n", 3, "outputs.0.eve-log.write-error", "expected one of: continue, stop")]
    [InlineData("outputs:\n  - eve-log:\n      filetype: redis\n      redis:\n        mode: queue\n", 5, "outputs.0.eve-log.redis.mode", "expected one of: list, lpush, rpush, channel, publish, stream, xadd")]
    [InlineData("outputs:\n  - eve-log:\n      filetype: redis\n      redis:\n        port: 70000\n", 5, "outputs.0.eve-log.redis.port", "1..65535")]
    [InlineData("outputs:\n  - eve-log:\n      filetype: redis\n      redis:\n        buffer-events: 0\n", 5, "outputs.0.eve-log.redis.buffer-events", "1..100000000")]
    [InlineData("outputs:\n  - eve-log: { enabled: yes }\n  - eve-log: { enabled: yes }\n", 3, "outputs.1.eve-log", "another eve-log already writes 'eve.json'")]
    public void Bad_value_names_file_line_key_and_what_is_allowed(string yaml, int line, string key, string allowed)
    {
        string path = _files.Write("bad.yaml", yaml);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance));

        Assert.StartsWith($"{path}:{line}: {key}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(key, error.Key);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoder_tunnel_ports_are_bound_as_suricata_writes_them()
    {
        static HostConfiguration Bind(YamlFiles files, string yaml) =>
            HostConfiguration.Bind(SuricataYaml.Load(files.Write("decoder.yaml", yaml)), NullLogger.Instance);

        Assert.Equal([4789], HostConfiguration.Bind(ConfigNode.CreateMapping(), NullLogger.Instance).Flow.Decoder.VxlanPorts);

        // Stock suricata.yaml: the ports through vars.port-groups.
        HostConfiguration stock = Bind(_files, """
            vars:
              port-groups:
                VXLAN_PORTS: "[8472, $IANA_VXLAN]"
                IANA_VXLAN: 4789
                GENEVE_PORTS: 6082
            decoder:
              vxlan:
                enabled: true
                ports: $VXLAN_PORTS
              geneve:
                enabled: true
                ports: $GENEVE_PORTS
            """);
        Assert.Equal([8472, 4789], stock.Flow.Decoder.VxlanPorts);
        Assert.Equal(6082, stock.Flow.Decoder.GenevePort);

        HostConfiguration list = Bind(_files, "decoder:\n  vxlan:\n    ports: '[4790, 4791]'\n  geneve:\n    enabled: no\n");
        Assert.Equal([4790, 4791], list.Flow.Decoder.VxlanPorts);
        Assert.Equal(0, list.Flow.Decoder.GenevePort);
        Assert.Empty(Bind(_files, "decoder:\n  vxlan:\n    enabled: false\n    ports: 4789\n").Flow.Decoder.VxlanPorts);

        foreach ((string yaml, string problem) in new[]
        {
            ("decoder:\n  vxlan:\n    ports: '[1, 2, 3, 4, 5]'\n", "at most 4"),
            ("decoder:\n  vxlan:\n    ports: $NOPE\n", "'$NOPE' is not defined in vars.port-groups"),
            ("decoder:\n  vxlan:\n    ports: 70000\n", "'70000' is not a UDP port"),
            ("decoder:\n  geneve:\n    ports: '[6081, 6082]'\n", "at most 1"),
            ("vars:\n  port-groups:\n    A: $B\n    B: $A\ndecoder:\n  vxlan:\n    ports: $A\n", "more than 8 deep"),
        })
        {
            ConfigurationException error = Assert.Throws<ConfigurationException>(() => Bind(_files, yaml));
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
            Assert.Contains("decoder.", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Eve_log_output_settings_are_bound()
    {
        string path = _files.Write("eve.yaml", "outputs:\n  - eve-log:\n      enabled: yes\n      append: no\n      filemode: 600\n      flush-interval: 0.25\n      write-error: stop\n");
        EveLogOptions eve = HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance).EveLog;

        Assert.False(eve.Append);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, eve.FileMode);
        Assert.Equal(TimeSpan.FromMilliseconds(250), eve.FlushInterval);
        Assert.True(eve.StopOnWriteError);
        EveLogOptions defaults = HostConfiguration.Bind(SuricataYaml.Parse("outputs:\n  - eve-log:\n      enabled: yes\n", "d.yaml"), NullLogger.Instance).EveLog;
        Assert.True(defaults.Append);
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.FlushInterval);
        Assert.False(defaults.StopOnWriteError);
    }

    [Fact]
    public void Several_eve_logs_are_bound_each_with_its_types_and_a_redis_one_with_suricatas_keys()
    {
        const string Yaml = """
            outputs:
              - eve-log:
                  enabled: yes
                  types: [alert]
              - eve-log:
                  enabled: no
                  filename: off.json
              - eve-log:
                  enabled: yes
                  filetype: redis
                  redis:
                    server: redis.example
                    port: 6380
                    mode: xadd
                    key: sensors
                    pipelining: { enabled: yes, batch-size: 64 }
                    stream-maxlen: 5000
                    stream-trim-exact: yes
                    password: pw
                    buffer-events: 1000
                    shutdown-timeout: 2
                  types: [flow, stats]
            """;
        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Parse(Yaml, "r.yaml"), NullLogger.Instance);

        Assert.Equal(2, config.EveLogs.Count);
        Assert.Same(config.EveLog, config.EveLogs[0]);
        Assert.Equal(["alert"], config.EveLogs[0].Types);
        Assert.Null(config.EveLogs[0].Redis);
        EveLogOptions redis = config.EveLogs[1];
        Assert.Equal(["flow", "stats"], redis.Types);
        Assert.Equal("redis", redis.FileType);
        EveRedisOptions server = Assert.IsType<EveRedisOptions>(redis.Redis);
        Assert.Equal(("redis.example", 6380, EveRedisMode.Stream, "sensors"), (server.Server, server.Port, server.Mode, server.Key));
        Assert.Equal((true, 64, 5000L, true), (server.Pipelining, server.BatchSize, server.StreamMaxLength, server.StreamTrimExact));
        Assert.Equal(("pw", 1000, TimeSpan.FromSeconds(2)), (server.Password, server.BufferEvents, server.ShutdownTimeout));
        Assert.Empty(config.Warnings);

        EveRedisOptions defaults = HostConfiguration.Bind(SuricataYaml.Parse("outputs:\n  - eve-log:\n      enabled: yes\n      filetype: redis\n", "d.yaml"), NullLogger.Instance).EveLog.Redis!;
        Assert.Equal(("127.0.0.1", 6379, EveRedisMode.LeftPush, "suricata", false, 10), (defaults.Server, defaults.Port, defaults.Mode, defaults.Key, defaults.Pipelining, defaults.BatchSize));
    }

    [Fact]
    public void Bad_value_from_set_names_the_override()
    {
        ConfigNode root = SuricataYaml.Parse("flow:\n  hash-size: 1024\n", "x.yaml");
        ConfigOverrides.Apply(root, ["flow.prealloc=-5"]);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => HostConfiguration.Bind(root, NullLogger.Instance));
        Assert.StartsWith("--set:1: flow.prealloc: -5 is out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_memcap_above_the_machines_memory_is_refused_with_one_message()
    {
        (long machine, string source) = FlowEngine.Configuration.MachineMemory.Read()!.Value;
        long tooMuch = (machine / (1L << 30)) + 2;
        ConfigNode root = SuricataYaml.Parse("flow:\n  hash-size: 1024\n", "x.yaml");
        ConfigOverrides.Apply(root, [$"flow.memcap={tooMuch}gb"]);

        ConfigurationException error = Assert.Throws<ConfigurationException>(() => HostConfiguration.Bind(root, NullLogger.Instance));

        Assert.StartsWith($"--set:1: flow.memcap: {tooMuch} GiB is more than the memory this machine has for the process", error.Message, StringComparison.Ordinal);
        Assert.Contains(source, error.Message, StringComparison.Ordinal);

        // Below it, bound as given.
        ConfigNode fits = SuricataYaml.Parse("flow:\n  memcap: 4mb\n", "x.yaml");
        Assert.Equal(4L << 20, HostConfiguration.Bind(fits, NullLogger.Instance).Flow.Memcap);
    }

    [Fact]
    public void Unknown_keys_warn_with_file_line_and_key()
    {
        string path = _files.Write("warn.yaml", """
            flow:
              hash-size: 1024
              hash-sise: 2048
            frobnicate: yes
            flow-timeouts:
              udp:
                closed: 5
            outputs:
              - eve-log:
                  enabled: yes
                  types:
                    - flow
                    - telepathy
            vars:
              address-groups: {}
            """);
        var logger = new ListLogger();

        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Load(path), logger);

        Assert.Equal(1024, config.Flow.HashSize);
        Assert.Equal(3, config.Warnings.Count);
        Assert.Contains($"{path}:3: flow.hash-sise: unknown key 'hash-sise' ignored; did you mean hash-size?", config.Warnings);
        Assert.Equal(["frobnicate", "vars"], config.UndeclaredSections);
        Assert.Contains(config.Warnings, w => w.StartsWith($"{path}:7: flow-timeouts.udp.closed: 'closed' applies to default and tcp only", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.StartsWith($"{path}:13: outputs.0.eve-log.types.1: unknown event type 'telepathy'", StringComparison.Ordinal));
        Assert.Equal(["flow"], config.EveLog.Types);
        Assert.Equal(config.Warnings.Count, logger.Warnings.Count);
        Assert.Contains(logger.Warnings, w => w.Contains($"{path}:3: flow.hash-sise", StringComparison.Ordinal));
    }

    [Fact]
    public void Emergency_timeout_longer_than_normal_is_cut_to_a_tenth_with_a_warning()
    {
        string path = _files.Write("emerg.yaml", "flow-timeouts:\n  udp:\n    established: 300\n    emergency-established: 400\n");
        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance);
        Assert.Equal(30, config.Flow.Timeouts.Udp.EmergencyEstablished);
        Assert.StartsWith($"{path}:4: flow-timeouts.udp.emergency-established: emergency timeout 400", Assert.Single(config.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_without_eve_log_disable_it_and_unsupported_outputs_warn()
    {
        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Parse("outputs:\n  - fast:\n      enabled: yes\n  - syslog:\n      enabled: yes\n", "o.yaml"), NullLogger.Instance);
        Assert.False(config.EveLog.Enabled);
        Assert.StartsWith("o.yaml:4: outputs.1.syslog: output 'syslog' is not supported", Assert.Single(config.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Eve_log_without_enabled_is_off_as_in_suricata_with_a_warning()
    {
        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Parse("outputs:\n  - eve-log:\n      filename: x.json\n", "e.yaml"), NullLogger.Instance);
        Assert.False(config.EveLog.Enabled);
        Assert.Equal("x.json", config.EveLog.FileName);
        Assert.StartsWith("e.yaml:2: outputs.0.eve-log: eve-log has no 'enabled: yes'", Assert.Single(config.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_nobody_declares_is_reported_once_and_a_near_miss_warns()
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: eth0\nnetronome: []\nflwo:\n  hash-size: 2\nlogging: {}\n", "p.yaml");
        var logger = new ListLogger();
        HostConfiguration config = HostConfiguration.Bind(root, logger);

        Assert.Equal(["af-packet", "netronome"], config.UndeclaredSections);
        Assert.Equal(["p.yaml:4: flwo: unknown section 'flwo' ignored; did you mean flow?"], config.Warnings);
        Assert.Single(logger.Messages, m => m.Contains("section 'af-packet' is declared by neither the host nor a loaded plugin", StringComparison.Ordinal));
        // Suricata's sections the host declares as not used (logging) are neither warned nor reported.
        Assert.DoesNotContain(logger.Messages, m => m.Contains("'logging'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plugins_declared_section_is_checked_key_by_key()
    {
        ConfigKey synthetic = ConfigKeys.Mapping(
            "synthetic",
            "a test plugin's section",
            [
                ConfigKeys.Integer("frames", "1", 1, 100, "frames to make"),
                ConfigKeys.Size("bypass-table-size", "1mb", 1, 1L << 30, "table"),
                .. ConfigKeys.NotUsed("legacy-key"),
            ]);
        ConfigNode good = SuricataYaml.Parse("synthetic:\n  frames: 3\n  bypass-table-size: 64kb\n  legacy-key: x\n", "s.yaml");
        HostConfiguration config = HostConfiguration.Bind(good, NullLogger.Instance, [synthetic]);
        Assert.Empty(config.Warnings);
        Assert.Empty(config.UndeclaredSections);

        ConfigNode typo = SuricataYaml.Parse("synthetic:\n  frame: 3\n  colour: red\n", "s.yaml");
        Assert.Equal(
            ["s.yaml:2: synthetic.frame: unknown key 'frame' ignored; did you mean frames?",
             "s.yaml:3: synthetic.colour: unknown key 'colour' ignored; expected one of: frames, bypass-table-size"],
            HostConfiguration.Bind(typo, NullLogger.Instance, [synthetic]).Warnings);

        ConfigNode bad = SuricataYaml.Parse("synthetic:\n  frames: 500\n", "s.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => HostConfiguration.Bind(bad, NullLogger.Instance, [synthetic]));
        Assert.Equal("s.yaml:2: synthetic.frames: 500 is out of range; expected an integer 1..100", error.Message);

        // Without the plugin's declaration the section is nobody's: reported, its keys not checked.
        Assert.Equal(["synthetic"], HostConfiguration.Bind(bad, NullLogger.Instance).UndeclaredSections);
    }

    [Fact]
    public void A_section_declared_twice_is_refused()
    {
        ConfigKey flow = ConfigKeys.Mapping("flow", "a plugin that claims the host's section");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => HostConfiguration.Bind(ConfigNode.CreateMapping(), NullLogger.Instance, [flow]));
        Assert.Contains("section 'flow' is declared 2 times", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_host_key_is_declared_with_a_description_and_its_default_is_what_an_empty_file_binds()
    {
        HostConfiguration defaults = HostConfiguration.Bind(ConfigNode.CreateMapping(), NullLogger.Instance);
        ConfigKey Key(string path)
        {
            IReadOnlyList<ConfigKey> level = HostConfiguration.Sections;
            ConfigKey? found = null;
            foreach (string part in path.Split('.'))
            {
                found = level.Single(k => k.Name == part);
                level = found.Keys;
            }

            return found!;
        }

        Assert.All(HostConfiguration.Sections, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
        Assert.Equal(defaults.Flow.HashSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Key("flow.hash-size").Default);
        Assert.Equal(defaults.Flow.Prealloc.ToString(System.Globalization.CultureInfo.InvariantCulture), Key("flow.prealloc").Default);
        Assert.Equal(ConfigKey.FormatSize(defaults.Flow.Memcap), Key("flow.memcap").Default);
        Assert.Equal(defaults.Flow.Timeouts.Tcp.Closed.ToString(System.Globalization.CultureInfo.InvariantCulture), Key("flow-timeouts.tcp.closed").Default);
        Assert.Equal(defaults.Stats.Interval.ToString(System.Globalization.CultureInfo.InvariantCulture), Key("stats.interval").Default);
        Assert.Equal(ConfigKey.FormatSize(defaults.Stream.ReassemblyDepth), Key("stream.reassembly.depth").Default);
        Assert.Equal(defaults.EveLog.FileName, Key("outputs.eve-log.filename").Default);
        Assert.Equal(string.Join(", ", defaults.EveLog.Types), Key("outputs.eve-log.types").Default);
    }

    [Fact]
    public void An_eve_type_item_with_its_settings_at_its_own_indentation_is_named_by_its_first_key()
    {
        // As Suricata reads it (suricata-verify's decode-unknown-2): "- stats:" then "totals: yes" at the key's indentation.
        string path = _files.Write("types.yaml", "outputs:\n  - eve-log:\n      types:\n        - stats:\n          totals: yes\n        - llmnr\n");
        HostConfiguration config = HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance);
        Assert.Equal(["stats", "llmnr"], config.EveLog.Types);
    }
}
