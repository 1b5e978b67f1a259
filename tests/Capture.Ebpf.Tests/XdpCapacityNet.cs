using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="XdpCapacityTests"/>.</summary>
public sealed class XdpCapacityNet : VethNamespace
{
    public XdpCapacityNet()
        : base("ebcap")
    {
    }
}
