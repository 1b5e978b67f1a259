using Capture.Tests.Kernel;

namespace Capture.Libpcap.Tests;

/// <summary>The namespace and veth pair of <see cref="DetectSampleLibpcapTests"/>.</summary>
public sealed class LibpcapHostNet : VethNamespace
{
    public LibpcapHostNet()
        : base("lphost")
    {
    }
}
