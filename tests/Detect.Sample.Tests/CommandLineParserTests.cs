using Capture.Abstractions;
using Detect.Sample.CommandLine;

namespace Detect.Sample.Tests;

public sealed class CommandLineParserTests
{
    [Fact]
    public void Parses_every_suricata_style_option()
    {
        CommandLineOptions options = CommandLineParser.Parse(
            ["-c", "a.yaml", "-r", "x.pcap", "-S", "r.rules", "--set", "stream.bypass=yes", "--set=flow.hash-size=1024", "-k", "none", "-l", "out", "--plugin-dir", "p1", "--plugin-dir=p2", "-vv", "-v"]);
        Assert.Equal("a.yaml", options.ConfigFile);
        Assert.Equal("x.pcap", options.ReadPath);
        Assert.Equal("r.rules", options.RulesFile);
        Assert.Equal([new("stream.bypass", "yes"), new("flow.hash-size", "1024")], options.Overrides);
        Assert.Equal(ChecksumMode.None, options.Checksums);
        Assert.Equal("out", options.LogDirectory);
        Assert.Equal(["p1", "p2"], options.PluginDirectories);
        Assert.Equal(3, options.Verbosity);
        Assert.Equal("pcap-file", options.CaptureName);
    }

    [Fact]
    public void Af_packet_selects_the_af_packet_plugin_with_an_optional_interface()
    {
        CommandLineOptions options = CommandLineParser.Parse(["--af-packet=eth1"]);
        Assert.Equal("af-packet", options.CaptureName);
        Assert.Equal("eth1", options.Interface);
        Assert.Null(CommandLineParser.Parse(["--af-packet"]).Interface);
        Assert.Equal("netronome", CommandLineParser.Parse(["--capture-plugin", "netronome"]).CaptureName);
    }

    [Fact]
    public void Pcap_selects_the_live_libpcap_plugin_with_an_optional_device()
    {
        CommandLineOptions options = CommandLineParser.Parse(["--pcap=lo"]);
        Assert.Equal("pcap", options.CaptureName);
        Assert.Equal("lo", options.Interface);
        Assert.Null(CommandLineParser.Parse(["--pcap"]).Interface);
        Assert.Equal("pcap", CommandLineParser.Parse(["--pcap"]).CaptureName);
        Assert.Equal("pcap-file", CommandLineParser.Parse(["-r", "x.pcap"]).CaptureName);
        Assert.Equal("pcap-file", CommandLineParser.Parse(["--pcap-file", "x.pcap"]).CaptureName);
    }

    [Fact]
    public void Parses_the_flags_suricata_verify_passes()
    {
        CommandLineOptions options = CommandLineParser.Parse(["--runmode=single", "--disable-detection", "--simulate-ips", "--simulate-ips", "--init-errors-fatal"]);
        Assert.Equal(RunMode.Single, options.RunMode);
        Assert.True(options.DisableDetection);
        Assert.True(options.SimulateIps);
        Assert.True(options.InitErrorsFatal);
        Assert.Equal(RunMode.Workers, CommandLineParser.Parse(["--runmode", "workers"]).RunMode);
        Assert.Equal(RunMode.AutoFp, CommandLineParser.Parse(["--runmode", "autofp"]).RunMode);
        Assert.Null(CommandLineParser.Parse([]).RunMode);
        Assert.True(CommandLineParser.Parse(["--build-info"]).BuildInfo);
    }

    [Theory]
    [InlineData("--runmode: 'fast' is not a run mode; expected single, autofp or workers", "--runmode", "fast")]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("-r needs a value", "-r")]
    [InlineData("-k: 'some' is not allowed", "-k", "some")]
    [InlineData("not of the form key.path=value", "--set", "novalue")]
    [InlineData("cannot be combined", "-r", "x.pcap", "--af-packet")]
    [InlineData("-r and --pcap cannot be combined", "-r", "x.pcap", "--pcap=lo")]
    [InlineData("--af-packet and --pcap cannot be combined", "--pcap", "--af-packet")]
    [InlineData("--pcap and --capture-plugin af-packet select different plugins", "--pcap=lo", "--capture-plugin", "af-packet")]
    [InlineData("unexpected argument 'stray'", "stray")]
    public void Rejects_bad_arguments_with_a_clear_message(string expected, params string[] args)
    {
        UsageException error = Assert.Throws<UsageException>(() => CommandLineParser.Parse(args));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
