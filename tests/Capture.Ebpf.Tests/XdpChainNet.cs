using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="XdpChainTests"/>, and a bpffs directory of its own for the chain's pins (removed on dispose).</summary>
public sealed class XdpChainNet : VethNamespace
{
    public XdpChainNet()
        : base("xchain")
    {
        KernelPrerequisites.Require(needBpffs: true);
        RemovePins();
    }

    /// <summary>Where the tests pin programs and arrays.</summary>
    public string PinDirectory => "/sys/fs/bpf/xchain";

    /// <summary>A pin path in <see cref="PinDirectory"/>.</summary>
    public string Pin(string name) => Path.Combine(PinDirectory, name);

    protected override void Dispose(bool disposing)
    {
        RemovePins();
        base.Dispose(disposing);
    }

    /// <summary>Removes <see cref="PinDirectory"/> (each test starts clean, also after another failed).</summary>
    public void RemovePins()
    {
        if (Directory.Exists(PinDirectory))
        {
            Directory.Delete(PinDirectory, recursive: true);
        }
    }
}
