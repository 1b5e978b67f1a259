using Capture.Tests.Kernel;

namespace Capture.Libpcap.Tests;

/// <summary>The namespace and veth pair of <see cref="LibpcapSourceTests"/>.</summary>
public sealed class LibpcapSourceNet : VethNamespace
{
    public LibpcapSourceNet()
        : base("lpsrc")
    {
    }
}
