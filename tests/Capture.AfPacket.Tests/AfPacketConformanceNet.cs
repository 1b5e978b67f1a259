using System.Globalization;
using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketConformanceTests"/>.</summary>
public sealed class AfPacketConformanceNet : VethNamespace
{
    public AfPacketConformanceNet()
        : base("afconf")
    {
    }
}
