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
