using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="TunnelBypassEndToEndTests"/>.</summary>
public sealed class TunnelBypassNet : VethNamespace
{
    public TunnelBypassNet()
        : base("xtun")
    {
    }
}
