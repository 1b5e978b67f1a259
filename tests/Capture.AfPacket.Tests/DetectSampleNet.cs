using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="DetectSampleEndToEndTests"/>.</summary>
public sealed class DetectSampleNet : VethNamespace
{
    public DetectSampleNet()
        : base("afe2e")
    {
    }
}
