// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: one VLAN tag of a crafted frame.
namespace Capture.Tests.Kernel;

/// <summary>An 802.1Q (TPID 0x8100) or 802.1ad (TPID 0x88a8) tag.</summary>
/// <param name="Id">The 12-bit VLAN id.</param>
/// <param name="Tpid">0x8100 (802.1Q) or 0x88a8 (802.1ad S-tag).</param>
/// <param name="Priority">The 3-bit PCP (non-zero priorities check that filters mask the TCI).</param>
public readonly record struct VlanTag(ushort Id, ushort Tpid = 0x8100, byte Priority = 0)
{
    /// <summary>An 802.1ad service tag.</summary>
    /// <param name="id">The VLAN id.</param>
    /// <param name="priority">The PCP.</param>
    /// <returns>The tag.</returns>
    public static VlanTag ServiceTag(ushort id, byte priority = 0) => new(id, 0x88a8, priority);

    /// <summary>The TCI as on the wire (host order value).</summary>
    public ushort Tci => (ushort)((Priority & 7) << 13 | (Id & 0x0fff));
}
