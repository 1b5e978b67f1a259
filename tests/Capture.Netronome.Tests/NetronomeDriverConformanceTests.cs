using Capture.Conformance;

namespace Capture.Netronome.Tests;

/// <summary>The shared capture conformance suite against the netronome plugin: offload emulated in driver mode, two capture threads.</summary>
public sealed class NetronomeDriverConformanceTests(NetronomeDriverNet net) : CaptureSourceConformance, IClassFixture<NetronomeDriverNet>
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.FromResult<ConformanceScenario>(new NetronomeScenario(net, "driver", options.BypassTableEntries));
    }
}
