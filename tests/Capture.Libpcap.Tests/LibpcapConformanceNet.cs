using Capture.Tests.Kernel;

namespace Capture.Libpcap.Tests;

/// <summary>The namespace and veth pair of <see cref="LibpcapConformanceTests"/>.</summary>
public sealed class LibpcapConformanceNet : VethNamespace
{
    public LibpcapConformanceNet()
        : base("lpconf")
    {
    }
}
