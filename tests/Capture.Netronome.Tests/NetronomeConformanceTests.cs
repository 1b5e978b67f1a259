using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>The namespace and veth of the conformance run with the filter in driver mode.</summary>
public sealed class NetronomeDriverNet : VethNamespace
{
    public NetronomeDriverNet()
        : base("ntrdrv")
    {
    }
}

/// <summary>The namespace and veth of the conformance run with the filter in generic (soft) mode.</summary>
public sealed class NetronomeSoftNet : VethNamespace
{
    public NetronomeSoftNet()
        : base("ntrsoft")
    {
    }
}

/// <summary>The shared capture conformance suite against the netronome plugin: offload emulated in driver mode, two capture threads.</summary>
public sealed class NetronomeDriverConformanceTests(NetronomeDriverNet net) : CaptureSourceConformance, IClassFixture<NetronomeDriverNet>
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.FromResult<ConformanceScenario>(new NetronomeScenario(net, "driver", options.BypassTableEntries));
    }
}

/// <summary>The shared capture conformance suite against the netronome plugin: offload emulated in soft (generic) mode.</summary>
public sealed class NetronomeSoftConformanceTests(NetronomeSoftNet net) : CaptureSourceConformance, IClassFixture<NetronomeSoftNet>
{
    protected override Task<ConformanceScenario> CreateScenarioAsync(ConformanceScenarioOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.FromResult<ConformanceScenario>(new NetronomeScenario(net, "soft", options.BypassTableEntries));
    }
}
