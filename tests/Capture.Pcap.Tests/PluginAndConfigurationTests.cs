using Capture.Abstractions;
using Capture.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Pcap.Tests;

/// <summary>The plugin's descriptor and registration, and the <c>pcap-file:</c> section.</summary>
public sealed class PluginAndConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pcap-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_plugin_describes_itself_and_registers_its_factory_keyed_pcap()
    {
        var plugin = new PcapCapturePlugin();
        Assert.Equal("pcap-file", plugin.Descriptor.Name);
        Assert.Equal(new Version(CaptureContract.Major, CaptureContract.Minor), plugin.Descriptor.ContractVersion);
        Assert.Equal(CaptureCapabilities.Offline | CaptureCapabilities.Bypass, plugin.Descriptor.Capabilities);
        Assert.True(((ICapturePlugin)plugin).AcceptsHost(CaptureContract.Current, out _));
        Assert.False(((ICapturePlugin)plugin).AcceptsHost(new Version(CaptureContract.Major + 1, 0), out string? reason));
        Assert.Contains("major", reason, StringComparison.Ordinal);

        var services = new ServiceCollection();
        plugin.ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, _directory, ConfigNode.CreateMapping(), NullLoggerFactory.Instance));
        ICaptureSourceFactory factory = services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>("pcap-file");
        Assert.Same(plugin.Descriptor, factory.Descriptor);
    }

    [Fact]
    public void The_section_is_read_with_defaults()
    {
        PcapFileOptions defaults = PcapFileOptions.FromConfiguration(ConfigNode.CreateMapping());
        Assert.Equal(ChecksumMode.Auto, defaults.ChecksumChecks);
        Assert.Equal(1 << 20, defaults.BufferSize);
        Assert.Equal(32768, defaults.BypassTableSize);

        PcapFileOptions options = PcapFileOptions.FromConfiguration(PcapHarness.Configuration(
            ("checksum-checks", "no"), ("buffer-size", "128kb"), ("bypass-table-size", "100"), ("delete-when-done", "no")));
        Assert.Equal(ChecksumMode.None, options.ChecksumChecks);
        Assert.Equal(128 << 10, options.BufferSize);
        Assert.Equal(100, options.BypassTableSize);
    }

    [Theory]
    [InlineData("continuous")]
    [InlineData("recursive")]
    [InlineData("delete-when-done")]
    public void Directory_watching_modes_are_refused_not_ignored(string key)
    {
        ConfigurationException failure = Assert.Throws<ConfigurationException>(() => PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key, "yes"))));
        Assert.StartsWith($"test.yaml:2: pcap-file.{key}: '{key}: yes' is not supported", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plugin_declares_its_section_with_every_key_it_reads()
    {
        ConfigKey section = Assert.Single(((ICapturePlugin)new PcapCapturePlugin()).ConfigurationSections);
        Assert.Same(PcapFileOptions.Section, section);
        Assert.Equal(PcapFileOptions.SectionName, section.Name);
        ConfigKey table = section.Keys.Single(k => k.Name == "bypass-table-size");
        Assert.Equal((ConfigValueType.Integer, "32768", 2L, 1L << 24), (table.Type, table.Default, table.Minimum, table.Maximum));
        Assert.Equal(PcapFileOptions.DefaultBypassTableSize.ToString(System.Globalization.CultureInfo.InvariantCulture), table.Default);
        Assert.Equal(["auto", "yes", "no"], section.Keys.Single(k => k.Name == "checksum-checks").Allowed);

        // The declared bounds are the ones the reader enforces.
        foreach (ConfigKey key in section.Keys.Where(k => k.Minimum is not null))
        {
            string below = (key.Minimum!.Value - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string above = (key.Maximum!.Value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Throws<ConfigurationException>(() => PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key.Name, below))));
            Assert.Throws<ConfigurationException>(() => PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key.Name, above))));
            _ = PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key.Name, key.Minimum.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            _ = PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key.Name, key.Maximum.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    [Theory]
    [InlineData("checksum-checks", "sometimes", "auto, yes, no")]
    [InlineData("buffer-size", "lots", "size")]
    [InlineData("buffer-size", "1kb", "out of range")]
    [InlineData("bypass-table-size", "1", "out of range")]
    public void A_bad_value_names_file_line_and_key(string key, string value, string allowed)
    {
        ConfigurationException failure = Assert.Throws<ConfigurationException>(() => PcapFileOptions.FromConfiguration(PcapHarness.Configuration((key, value))));
        Assert.Contains("test.yaml:2", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"pcap-file.{key}", failure.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no", ChecksumMode.Auto, true)]
    [InlineData("yes", ChecksumMode.Auto, false)]
    [InlineData("auto", ChecksumMode.None, true)]
    [InlineData("no", ChecksumMode.All, false)]
    public async Task Checksum_checks_off_marks_packets_verified_and_the_command_line_wins(string configured, ChecksumMode commandLine, bool verified)
    {
        string path = Path.Combine(_directory, "one.pcap");
        await using (FileStream file = File.Create(path))
        {
            PcapFileWriter.WriteFrames(file, FrameBuilder.MixedTraffic(3, seed: 12));
        }

        await using ICaptureSource source = PcapHarness.Open(path, PcapHarness.Configuration(("checksum-checks", configured)), checksums: commandLine);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Equal(3, result.Packets.Count);
        Assert.All(result.Packets, p => Assert.Equal(verified, (p.Record.Flags & PacketFlags.ChecksumVerified) != 0));
    }

    [Fact]
    public void The_plugin_manifest_names_the_plugin_and_its_assembly()
    {
        string manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "plugin.json"));
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        Assert.Equal("pcap-file", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("Capture.Pcap.dll", json.RootElement.GetProperty("assembly").GetString());
        Assert.Equal($"{CaptureContract.Major}.{CaptureContract.Minor}", json.RootElement.GetProperty("contractVersion").GetString());
        // Named, so the host loads the one type instead of scanning every type of the assembly at start.
        Assert.Equal(typeof(PcapCapturePlugin).FullName, json.RootElement.GetProperty("entryType").GetString());
    }
}
