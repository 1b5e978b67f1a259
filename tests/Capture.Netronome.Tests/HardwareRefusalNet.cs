using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>The namespace and veth of the refusal tests.</summary>
public sealed class HardwareRefusalNet : VethNamespace
{
    public HardwareRefusalNet()
        : base("ntrhw")
    {
    }
}
