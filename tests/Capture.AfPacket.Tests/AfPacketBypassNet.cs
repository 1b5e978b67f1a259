using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;
using Flows = Capture.Conformance.FrameBuilder;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketBypassTests"/>.</summary>
public sealed class AfPacketBypassNet : VethNamespace
{
    public AfPacketBypassNet()
        : base("afbyp")
    {
    }
}
