using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="DetectSampleSignalTests"/>.</summary>
public sealed class DetectSampleSignalNet : VethNamespace
{
    public DetectSampleSignalNet()
        : base("afsig")
    {
    }
}
