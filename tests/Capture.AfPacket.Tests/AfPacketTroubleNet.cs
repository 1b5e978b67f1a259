using System.Globalization;
using Capture.Abstractions;
using Capture.Linux.Sources;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketInterfaceTroubleTests"/>.</summary>
public sealed class AfPacketTroubleNet : VethNamespace
{
    public AfPacketTroubleNet()
        : base("aftrbl")
    {
    }
}
