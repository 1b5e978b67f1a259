using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketFanoutTests"/>.</summary>
public sealed class AfPacketFanoutNet : VethNamespace
{
    public AfPacketFanoutNet()
        : base("affan")
    {
    }
}
