using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="XpfKernelRuleStrategyTests"/>.</summary>
public sealed class XpfKernelRuleNet : VethNamespace
{
    public XpfKernelRuleNet()
        : base("xpfrule")
    {
    }
}
