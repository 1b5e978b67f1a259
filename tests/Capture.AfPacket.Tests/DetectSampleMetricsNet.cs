using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="DetectSampleMetricsTests"/>.</summary>
public sealed class DetectSampleMetricsNet : VethNamespace
{
    public DetectSampleMetricsNet()
        : base("afmet")
    {
    }
}
