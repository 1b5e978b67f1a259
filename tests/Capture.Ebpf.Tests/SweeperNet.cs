using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="BypassMapSweeperTests"/>.</summary>
public sealed class SweeperNet : VethNamespace
{
    public SweeperNet()
        : base("ebswp")
    {
    }
}
