using SharpPcap.LibPcap;

namespace Capture.Libpcap.Sources;

/// <summary>
/// A SharpPcap live device that also gives the descriptor libpcap polls (<c>pcap_get_selectable_fd</c>,
/// kept by SharpPcap for its own poll): the reader waits on it itself, in non-blocking mode, so a stop
/// is seen within one wait however quiet the interface is.
/// </summary>
internal sealed class LibpcapDevice(PcapInterface pcapInterface) : LibPcapLiveDevice(pcapInterface)
{
    /// <summary>The descriptor to poll for packets, or -1 when the device is closed.</summary>
    public int SelectableDescriptor => Opened ? FileDescriptor : -1;
}
