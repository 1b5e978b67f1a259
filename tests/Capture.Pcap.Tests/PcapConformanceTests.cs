using System.Runtime.InteropServices;
using Capture.Abstractions;
using Capture.Conformance;

namespace Capture.Pcap.Tests;

/// <summary>
/// The conformance suite against the pcap plugin: frames go to a pcap file written when the input
/// ends, or, for stepwise tests, to a FIFO the source reads while the test writes.
/// </summary>
public sealed partial class PcapConformanceTests : CaptureSourceConformance
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken) =>
        Task.FromResult<ConformanceScenario>(new PcapScenario(options));

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);

    private sealed class PcapScenario : ConformanceScenario
    {
        private readonly string _directory;
        private readonly string _path;
        private readonly bool _stepwise;
        private readonly List<byte[]> _frames = [];
        private readonly Task<FileStream>? _writerOpen;
        private FileStream? _writer;
        private bool _startRequested;
        private bool _started;
        private int _written;

        public PcapScenario(ConformanceScenarioOptions options)
        {
            _stepwise = options.Stepwise;
            _directory = Path.Combine(Path.GetTempPath(), $"pcap-conformance-{Guid.NewGuid():n}");
            Directory.CreateDirectory(_directory);
            _path = Path.Combine(_directory, "capture.pcap");
            if (_stepwise)
            {
                if (MakeFifo(_path, Convert.ToUInt32("600", 8)) != 0)
                {
                    throw new InvalidOperationException($"mkfifo {_path} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                // Opening a FIFO for writing waits for the reader: the source opens it when started.
                _writerOpen = Task.Run(() => new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0));
            }
            else
            {
                File.WriteAllBytes(_path, []);
            }

            ConfigNode configuration = options.BypassTableEntries is int entries
                ? PcapHarness.Configuration(("bypass-table-size", entries.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                : ConfigNode.CreateMapping();
            AppliesBypassTableEntries = options.BypassTableEntries is not null;
            ICaptureSource source = PcapHarness.Open(_path, configuration);
            Sources = [source];
            Descriptor = PcapHarness.CreateFactory(configuration).Descriptor;
        }

        public override CapturePluginDescriptor Descriptor { get; }

        public override IReadOnlyList<ICaptureSource> Sources { get; }

        public override bool CompletesAtEndOfInput => true;

        public override bool AppliesBypassTableEntries { get; }

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            // A file source starts once its file is written (at the end of the input); a FIFO source at once.
            _startRequested = true;
            if (_stepwise)
            {
                await StartSourcesAsync(cancellationToken);
            }
        }

        public override async Task SendAsync(IReadOnlyList<byte[]> frames, CancellationToken cancellationToken)
        {
            if (!_stepwise)
            {
                _frames.AddRange(frames);
                return;
            }

            FileStream writer = await OpenWriterAsync(cancellationToken);
            using var buffer = new MemoryStream();
            PcapFileWriter.WriteFrames(buffer, frames, _written, header: _written == 0);
            _written += frames.Count;
            await writer.WriteAsync(buffer.ToArray(), cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }

        public override async Task EndInputAsync(CancellationToken cancellationToken)
        {
            if (_stepwise)
            {
                FileStream writer = await OpenWriterAsync(cancellationToken);
                if (_written == 0)
                {
                    await writer.WriteAsync(PcapFileWriter.Header(), cancellationToken);
                }

                await writer.DisposeAsync();
                return;
            }

            await using (FileStream file = File.Create(_path))
            {
                PcapFileWriter.WriteFrames(file, _frames);
            }

            if (_startRequested)
            {
                await StartSourcesAsync(cancellationToken);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (_writerOpen is not null)
            {
                if (!_writerOpen.IsCompleted)
                {
                    // Nobody opened the FIFO for reading: do it, so the pending open returns.
                    using var unblock = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                    (await _writerOpen).Dispose();
                }
                else
                {
                    (await _writerOpen).Dispose();
                }
            }

            foreach (ICaptureSource source in Sources)
            {
                await source.DisposeAsync();
            }

            Directory.Delete(_directory, recursive: true);
        }

        private async Task StartSourcesAsync(CancellationToken cancellationToken)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            await base.StartAsync(cancellationToken);
        }

        private async Task<FileStream> OpenWriterAsync(CancellationToken cancellationToken)
        {
            _writer ??= await _writerOpen!.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return _writer;
        }
    }
}
