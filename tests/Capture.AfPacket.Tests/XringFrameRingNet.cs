using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="XringFrameRingTests"/>.</summary>
public sealed class XringFrameRingNet : VethNamespace
{
    public XringFrameRingNet()
        : base("xring")
    {
    }
}
