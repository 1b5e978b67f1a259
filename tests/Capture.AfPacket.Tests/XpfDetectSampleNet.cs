using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="XpfDetectSampleTests"/>.</summary>
public sealed class XpfDetectSampleNet : VethNamespace
{
    public XpfDetectSampleNet()
        : base("xpfe2e")
    {
    }
}
