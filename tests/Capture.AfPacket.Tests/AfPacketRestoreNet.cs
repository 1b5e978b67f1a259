using Capture.Abstractions;
using Capture.Linux.Bypass;
using Capture.Linux.Sources;
using Capture.Linux.Xdp;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Flows = Capture.Conformance.FrameBuilder;

namespace Capture.AfPacket.Tests;

/// <summary>The namespace and veth pair of <see cref="AfPacketRestoreTests"/>, with a pin root of its own (removed on dispose).</summary>
public sealed class AfPacketRestoreNet : VethNamespace
{
    public AfPacketRestoreNet()
        : base("afrst")
    {
        KernelPrerequisites.Require(needBpffs: true);
        RemovePins();
    }

    public string PinRoot => "/sys/fs/bpf/capture-tests-afrst";

    /// <summary>Removes this interface's pins and the (then empty) pin root.</summary>
    public void RemovePins()
    {
        XdpBypassFilter.RemovePins(HostInterface, PinRoot);
        if (Directory.Exists(PinRoot) && !Directory.EnumerateFileSystemEntries(PinRoot).Any())
        {
            Directory.Delete(PinRoot);
        }
    }

    protected override void Dispose(bool disposing)
    {
        RemovePins();
        base.Dispose(disposing);
    }
}
