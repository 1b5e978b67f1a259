using System.Text.Json;
using System.Text.RegularExpressions;
using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Detect.Sample.Console;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Tests;

/// <summary>suricata.log as Suricata's <c>logging:</c> section configures it.</summary>
public sealed partial class FileLogTests : IDisposable
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TemporaryLogDirectory _temp = new("file-log-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_a_logging_section_the_console_logs_at_notice_and_no_file_is_written()
    {
        LoggingOptions options = LoggingOptions.Read(SuricataYaml.Parse("stats:\n  enabled: yes\n", "t.yaml"), verbosity: 0);

        Assert.True(options.Console);
        Assert.Equal(LogLevel.Warning, options.ConsoleLevel);
        Assert.False(options.File);
    }

    [Theory]
    [InlineData("error", 0, LogLevel.Error)]
    [InlineData("warning", 0, LogLevel.Warning)]
    [InlineData("notice", 0, LogLevel.Warning)]
    [InlineData("info", 0, LogLevel.Information)]
    [InlineData("perf", 0, LogLevel.Information)]
    [InlineData("config", 0, LogLevel.Debug)]
    [InlineData("debug", 0, LogLevel.Trace)]
    [InlineData("notice", 1, LogLevel.Information)]
    [InlineData("error", 2, LogLevel.Debug)]
    [InlineData("info", 3, LogLevel.Trace)]
    public void Default_log_level_maps_to_ilogger_levels_and_each_v_raises_it(string level, int verbosity, LogLevel expected)
    {
        LoggingOptions options = LoggingOptions.Read(SuricataYaml.Parse($"logging:\n  default-log-level: {level}\n", "t.yaml"), verbosity);

        Assert.Equal(expected, options.ConsoleLevel);
    }

    [Fact]
    public void Suricatas_default_outputs_give_the_console_at_notice_and_the_file_at_info()
    {
        LoggingOptions options = LoggingOptions.Read(SuricataYaml.Parse(DefaultLogging, "t.yaml"), verbosity: 0);

        Assert.True(options.Console);
        Assert.Equal(LogLevel.Warning, options.ConsoleLevel);
        Assert.True(options.File);
        Assert.Equal(LogLevel.Information, options.FileLevel);
        Assert.Equal("suricata.log", options.FileName);
        Assert.False(options.FileJson);
        Assert.Null(options.Syslog);
    }

    [Fact]
    public void With_every_output_off_the_console_logs_and_an_enabled_syslog_is_named_for_its_warning()
    {
        LoggingOptions off = LoggingOptions.Read(SuricataYaml.Parse("logging:\n  outputs:\n  - console:\n      enabled: no\n  - file:\n      enabled: no\n", "t.yaml"), 0);
        LoggingOptions fileOnly = LoggingOptions.Read(SuricataYaml.Parse("logging:\n  outputs:\n  - console:\n      enabled: no\n  - file:\n      enabled: yes\n  - syslog:\n      enabled: yes\n", "t.yaml"), 0);

        Assert.True(off.Console);
        Assert.False(fileOnly.Console);
        Assert.NotNull(fileOnly.Syslog);
    }

    [Theory]
    [InlineData("../suricata.log")]
    [InlineData("/tmp/suricata.log")]
    [InlineData("sub/suricata.log")]
    public void A_file_name_that_leads_out_of_the_log_directory_is_refused(string name)
    {
        ConfigNode root = SuricataYaml.Parse($"logging:\n  outputs:\n  - file:\n      enabled: yes\n      filename: \"{name}\"\n", "t.yaml");

        ConfigurationException e = Assert.Throws<ConfigurationException>(() => LoggingOptions.Read(root, 0));
        Assert.Contains("not a plain file name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_at_the_files_level_wait_for_the_file_and_are_written_in_suricatas_line_format()
    {
        string path = _temp.PathOf("suricata.log");
        using var provider = new FileLoggerProvider();
        using var factory = new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        ILogger logger = factory.CreateLogger("Detect.Sample.Hosting.DetectRun");
        provider.Configure(LoggingOptions.Read(SuricataYaml.Parse(DefaultLogging, "t.yaml"), 0));

        Entry(logger, LogLevel.Warning, "before the file opened");
        Entry(logger, LogLevel.Debug, "below the file's level");
        Assert.False(File.Exists(path));
        using (provider.Open(_temp.Logs, Mode))
        {
            Entry(logger, LogLevel.Information, "after it opened");
            Entry(logger, LogLevel.Error, new IOException("the disk"), "failed");
        }

        Entry(logger, LogLevel.Error, "after it closed");
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.Matches(FileLine(), line));
        Assert.EndsWith("Warning: Detect.Sample.Hosting.DetectRun: before the file opened", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("Info: Detect.Sample.Hosting.DetectRun: after it opened", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("Error: Detect.Sample.Hosting.DetectRun: failed: the disk", lines[2], StringComparison.Ordinal);
        Assert.StartsWith($"[{GetTid()} - ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_output_of_type_json_writes_one_engine_event_per_line()
    {
        using var provider = new FileLoggerProvider();
        using var factory = new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        provider.Configure(LoggingOptions.Read(SuricataYaml.Parse("logging:\n  outputs:\n  - file:\n      enabled: yes\n      level: config\n      filename: engine.json\n      type: json\n", "t.yaml"), 0));
        using (provider.Open(_temp.Logs, Mode))
        {
            Entry(factory.CreateLogger("FlowEngine"), LogLevel.Debug, "a \"quoted\" setting");
        }

        using JsonDocument line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(_temp.PathOf("engine.json"))));
        JsonElement root = line.RootElement;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$", root.GetProperty("timestamp").GetString()!);
        Assert.Equal("Config", root.GetProperty("log_level").GetString());
        Assert.Equal("engine", root.GetProperty("event_type").GetString());
        Assert.Equal("a \"quoted\" setting", root.GetProperty("engine").GetProperty("message").GetString());
        Assert.Equal("FlowEngine", root.GetProperty("engine").GetProperty("module").GetString());
    }

    [Fact]
    public void A_suricata_log_that_is_a_symbolic_link_is_refused_and_its_target_untouched()
    {
        string victim = _temp.PathOf("victim");
        File.WriteAllText(victim, "precious\n");
        File.CreateSymbolicLink(_temp.PathOf("suricata.log"), victim);
        using var provider = new FileLoggerProvider();
        provider.Configure(LoggingOptions.Read(SuricataYaml.Parse(DefaultLogging, "t.yaml"), 0));

        IOException e = Assert.Throws<IOException>(() => provider.Open(_temp.Logs, Mode));
        Assert.Contains("it is a symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious\n", File.ReadAllText(victim));
    }

    [Fact]
    public void An_existing_suricata_log_is_appended_to_and_reopen_starts_a_new_file_after_rotation()
    {
        string path = _temp.PathOf("suricata.log");
        File.WriteAllText(path, "an earlier run\n");
        using var provider = new FileLoggerProvider();
        using var factory = new LoggerFactory([provider], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        ILogger logger = factory.CreateLogger("t");
        provider.Configure(LoggingOptions.Read(SuricataYaml.Parse(DefaultLogging, "t.yaml"), 0));
        using (provider.Open(_temp.Logs, Mode))
        {
            Entry(logger, LogLevel.Warning, "before rotation");
            File.Move(path, path + ".1");
            provider.Reopen();
            Entry(logger, LogLevel.Warning, "after rotation");
        }

        string[] rotated = File.ReadAllLines(path + ".1");
        Assert.Equal("an earlier run", rotated[0]);
        Assert.EndsWith("before rotation", Assert.Single(rotated[1..]), StringComparison.Ordinal);
        Assert.EndsWith("after rotation", Assert.Single(File.ReadAllLines(path)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_with_suricatas_codes_is_followed_and_the_message_added_when_it_has_none()
    {
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        string line = FileLogLine.Format("[%p] <%d> %D -- %S %n %l %q|", json: false, now, LogLevel.Warning, "cat", new EventId(7, "Seven"), "the message");

        Assert.Equal($"[{Environment.ProcessId}] <Warning> W -- cat Seven 7 %q|the message\n", line);
    }

    /// <summary>The logging section of Suricata's default suricata.yaml.</summary>
    internal const string DefaultLogging = """
        logging:
          default-log-level: notice
          default-output-filter:
          outputs:
          - console:
              enabled: yes
          - file:
              enabled: yes
              level: info
              filename: suricata.log
          - syslog:
              enabled: no
              facility: local5
              format: "[%i] <%d> -- "
        """;

    [GeneratedRegex(@"^\[\d+ - [^\]]+\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (Error|Warning|Info|Config|Debug): [^:]+: .+$", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FileLine();

    private static void Entry(ILogger logger, LogLevel level, string message) => logger.Log(level, default, message, null, static (text, _) => text);

    private static void Entry(ILogger logger, LogLevel level, Exception exception, string message) => logger.Log(level, default, message, exception, static (text, _) => text);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
