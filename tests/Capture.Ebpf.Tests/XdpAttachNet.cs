using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="XdpAttachTests"/>.</summary>
public sealed class XdpAttachNet : VethNamespace
{
    public XdpAttachNet()
        : base("ebatt")
    {
    }
}
