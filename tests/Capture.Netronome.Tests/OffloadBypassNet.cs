using Capture.Tests.Kernel;

namespace Capture.Netronome.Tests;

/// <summary>Two namespaces, each with a veth pair: two offloaded interfaces served by one bypass manager.</summary>
public sealed class OffloadBypassNet : IDisposable
{
    public OffloadBypassNet()
    {
        First = new VethNamespace("ntrbypa");
        try
        {
            Second = new VethNamespace("ntrbypb");
        }
        catch
        {
            First.Dispose();
            throw;
        }
    }

    public VethNamespace First { get; }

    public VethNamespace Second { get; }

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }
}
