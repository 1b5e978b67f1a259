using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="StrategyConcurrencyTests"/>.</summary>
public sealed class ConcurrencyNet : VethNamespace
{
    public ConcurrencyNet()
        : base("ebconc")
    {
    }
}
