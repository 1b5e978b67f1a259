using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>The namespace and veth of the conformance run with the filter in generic (soft) mode.</summary>
public sealed class NetronomeSoftNet : VethNamespace
{
    public NetronomeSoftNet()
        : base("ntrsoft")
    {
    }
}
