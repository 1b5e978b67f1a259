using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketRingTests"/>.</summary>
public sealed class AfPacketRingNet : VethNamespace
{
    public AfPacketRingNet()
        : base("afpring")
    {
    }
}
