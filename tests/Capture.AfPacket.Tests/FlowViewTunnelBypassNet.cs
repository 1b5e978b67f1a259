using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="FlowViewTunnelBypassTests"/>.</summary>
public sealed class FlowViewTunnelBypassNet : VethNamespace
{
    public FlowViewTunnelBypassNet()
        : base("xfvw")
    {
    }
}
