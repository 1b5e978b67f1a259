using Capture.Abstractions;
using Capture.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace CapturePlugin1.Tests;

/// <summary>
/// The shared conformance suite against the plugin: the frames the suite sends are written to a
/// pcap file when the input ends, and the plugin's source (made by its factory) reads it.
/// </summary>
public sealed class FileCaptureConformanceTests : CaptureSourceConformance
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken) =>
        Task.FromResult<ConformanceScenario>(new FileScenario());

    /// <summary>
    /// A file written whole at the end of the input. The suite asks for stepwise input only in its
    /// bypass tests, which a plugin without <see cref="CaptureCapabilities.Bypass"/> skips.
    /// </summary>
    private sealed class FileScenario : ConformanceScenario
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("capture-plugin-conformance-").FullName;
        private readonly ServiceProvider _services;
        private readonly List<byte[]> _frames = [];
        private readonly string _path;
        private bool _startRequested;

        public FileScenario()
        {
            _path = Path.Combine(_directory, "input.pcap");
            (_services, ICaptureSourceFactory factory) = PluginHarness.Load(ConfigNode.CreateMapping());
            Descriptor = factory.Descriptor;
            Sources = factory.CreateSources(new CaptureSourceRequest { Target = _path, Configuration = ConfigNode.CreateMapping(), Services = _services });
        }

        public override CapturePluginDescriptor Descriptor { get; }

        public override IReadOnlyList<ICaptureSource> Sources { get; }

        public override bool CompletesAtEndOfInput => true;

        // The file exists only once the input ended: the sources start then.
        public override Task StartAsync(CancellationToken cancellationToken)
        {
            _startRequested = true;
            return Task.CompletedTask;
        }

        public override Task SendAsync(IReadOnlyList<byte[]> frames, CancellationToken cancellationToken)
        {
            _frames.AddRange(frames);
            return Task.CompletedTask;
        }

        public override async Task EndInputAsync(CancellationToken cancellationToken)
        {
            PcapFileWriter.Write(_path, _frames);
            if (_startRequested)
            {
                await base.StartAsync(cancellationToken);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (ICaptureSource source in Sources)
            {
                await source.DisposeAsync();
            }

            await _services.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
