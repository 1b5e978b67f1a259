using Capture.Conformance;

namespace Capture.Netronome.Tests;

/// <summary>The shared capture conformance suite against the netronome plugin: offload emulated in soft (generic) mode.</summary>
public sealed class NetronomeSoftConformanceTests(NetronomeSoftNet net) : CaptureSourceConformance, IClassFixture<NetronomeSoftNet>
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.FromResult<ConformanceScenario>(new NetronomeScenario(net, "soft", options.BypassTableEntries));
    }
}
