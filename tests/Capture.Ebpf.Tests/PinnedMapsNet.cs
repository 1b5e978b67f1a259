using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Namespace + veth of <see cref="PinnedMapsTests"/>, and a pin root of its own (removed on dispose).</summary>
public sealed class PinnedMapsNet : VethNamespace
{
    public PinnedMapsNet()
        : base("ebpin")
    {
        KernelPrerequisites.Require(needBpffs: true);
        XdpBypassFilter.RemovePins(HostInterface, PinRoot);
    }

    public string PinRoot => "/sys/fs/bpf/capture-tests-ebpin";

    protected override void Dispose(bool disposing)
    {
        XdpBypassFilter.RemovePins(HostInterface, PinRoot);
        base.Dispose(disposing);
    }
}
