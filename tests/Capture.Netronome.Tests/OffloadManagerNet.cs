using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>The namespace and veth of the manager tests.</summary>
public sealed class OffloadManagerNet : VethNamespace
{
    public OffloadManagerNet()
        : base("ntrmgr")
    {
    }
}
