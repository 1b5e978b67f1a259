using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.Libpcap.Tests;

/// <summary>The shared conformance suite against the libpcap plugin: frames are sent over the veth from the namespace.</summary>
public sealed class LibpcapConformanceTests(LibpcapConformanceNet net) : CaptureSourceConformance, IClassFixture<LibpcapConformanceNet>
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken)
    {
        // The default entry only, as an operator's --pcap=<dev> with a stock pcap: section.
        ConfigNode root = LibpcapTestConfiguration.Root(("default", [("checksum-checks", "no")]));
        IReadOnlyList<ICaptureSource> sources = LibpcapTestConfiguration.CreateSources(root, net.HostInterface);
        return Task.FromResult<ConformanceScenario>(new VethScenario(net, sources));
    }

    private sealed class VethScenario(VethNamespace net, IReadOnlyList<ICaptureSource> sources) : ConformanceScenario
    {
        public override CapturePluginDescriptor Descriptor => new LibpcapCapturePlugin().Descriptor;

        public override IReadOnlyList<ICaptureSource> Sources => sources;

        public override bool CompletesAtEndOfInput => false;

        public override bool MayDeliverForeignFrames => true;

        public override Task SendAsync(IReadOnlyList<byte[]> frames, CancellationToken cancellationToken) =>
            Task.Run(() => net.CreateSender().Send(frames), cancellationToken);

        public override Task EndInputAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override async ValueTask DisposeAsync()
        {
            foreach (ICaptureSource source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }
}
