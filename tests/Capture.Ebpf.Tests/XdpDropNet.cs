using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="XdpDropTests"/>.</summary>
public sealed class XdpDropNet : VethNamespace
{
    public XdpDropNet()
        : base("ebdrop")
    {
    }
}
