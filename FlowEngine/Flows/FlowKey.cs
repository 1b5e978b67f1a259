using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace FlowEngine.Flows;

/// <summary>
/// The direction-normalised key of a flow, 48 bytes: the lower (address, port) end first, so
/// both directions of a flow make the same key. ICMP's "ports" are the message type and the type
/// of its answer, so they follow the addresses as ports do (Suricata's icmp_s/icmp_d); ESP's SPI
/// halves belong to no one address and are kept sorted.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowKey
{
    /// <summary>The lower address.</summary>
    public FlowAddress Low;

    /// <summary>The higher address.</summary>
    public FlowAddress High;

    /// <summary>Port of <see cref="Low"/>.</summary>
    public ushort LowPort;

    /// <summary>Port of <see cref="High"/>.</summary>
    public ushort HighPort;

    /// <summary>IP protocol.</summary>
    public byte Protocol;

    /// <summary>Tunnel depth of the layer (0 when recursion tracking is off).</summary>
    public byte TunnelDepth;

    /// <summary>1 for IPv6.</summary>
    public byte IsIPv6;

    /// <summary>
    /// Zero. The key holds the VLAN ids, not how many tags carried them: as Suricata's flow hash
    /// (vlan_id[] only), a priority tag (id 0) keys as no tag. The flow's record keeps its first
    /// packet's tag count (<see cref="FlowRecord.VlanCount"/>).
    /// </summary>
    public byte Unused;

    /// <summary>Outermost VLAN id (0 when VLAN tracking is off).</summary>
    public ushort Vlan0;

    /// <summary>Second VLAN id.</summary>
    public ushort Vlan1;

    /// <summary>Third VLAN id.</summary>
    public ushort Vlan2;

    /// <summary>Zero; keeps the key 48 bytes with no undefined padding.</summary>
    public ushort Reserved;

    /// <summary>
    /// Builds the key of a layer and returns its hash. <paramref name="sourceIsLow"/> tells which
    /// end sent the packet.
    /// </summary>
    /// <remarks>
    /// Assembles the six 64-bit words in registers, stores each whole and hashes the registers:
    /// reading the key back from memory right after building it cost a store-forwarding wait per
    /// word (a word built by narrow stores cannot be forwarded to a wide load). The field order
    /// above is the word layout on a little-endian machine, the only kind .NET runs on.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FromLayer(in PacketLayer layer, FlowKeyTracking tracking, FlowHasher hasher, out FlowKey key, out bool sourceIsLow)
    {
        ref ulong source = ref Unsafe.As<FlowAddress, ulong>(ref Unsafe.AsRef(in layer.Source));
        ref ulong destination = ref Unsafe.As<FlowAddress, ulong>(ref Unsafe.AsRef(in layer.Destination));
        ulong s0 = source, s1 = Unsafe.Add(ref source, 1);
        ulong d0 = destination, d1 = Unsafe.Add(ref destination, 1);
        ushort sourcePort = layer.SourcePort;
        ushort destinationPort = layer.DestinationPort;

        // Any total order does; compare the raw words (byte order of the machine).
        bool portless = layer.Protocol == IpProtocol.Esp;
        sourceIsLow = s0 != d0 ? s0 < d0
            : s1 != d1 ? s1 < d1
            : portless || sourcePort <= destinationPort;

        ulong ports;
        if (portless)
        {
            // ESP SPI halves do not belong to one address: keep them sorted.
            ports = sourcePort <= destinationPort ? sourcePort | ((uint)destinationPort << 16) : destinationPort | ((uint)sourcePort << 16);
        }
        else
        {
            ports = sourceIsLow ? sourcePort | ((uint)destinationPort << 16) : destinationPort | ((uint)sourcePort << 16);
        }

        ulong vlans = 0;
        if ((tracking & FlowKeyTracking.Vlan) != 0 && layer.VlanCount > 0)
        {
            vlans = (ulong)(layer.Vlan0 & 0x0FFFu)
                | (layer.VlanCount > 1 ? (ulong)(layer.Vlan1 & 0x0FFFu) << 16 : 0)
                | (layer.VlanCount > 2 ? (ulong)(layer.Vlan2 & 0x0FFFu) << 32 : 0);
        }

        ulong w0 = sourceIsLow ? s0 : d0;
        ulong w1 = sourceIsLow ? s1 : d1;
        ulong w2 = sourceIsLow ? d0 : s0;
        ulong w3 = sourceIsLow ? d1 : s1;
        ulong depth = (tracking & FlowKeyTracking.Recursion) != 0 ? layer.TunnelDepth : 0UL;
        ulong w4 = ports | ((ulong)layer.Protocol << 32) | (depth << 40)
            | (layer.IsIPv6 ? 1UL << 48 : 0);
        Unsafe.SkipInit(out key);
        ref ulong w = ref Unsafe.As<FlowKey, ulong>(ref key);
        w = w0;
        Unsafe.Add(ref w, 1) = w1;
        Unsafe.Add(ref w, 2) = w2;
        Unsafe.Add(ref w, 3) = w3;
        Unsafe.Add(ref w, 4) = w4;
        Unsafe.Add(ref w, 5) = vlans;
        return hasher.Hash(w0, w1, w2, w3, w4, vlans);
    }

    /// <summary>Whether two keys are equal: six 64-bit compares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(ref FlowKey a, ref FlowKey b)
    {
        ref ulong x = ref Unsafe.As<FlowKey, ulong>(ref a);
        ref ulong y = ref Unsafe.As<FlowKey, ulong>(ref b);
        return ((x ^ y)
            | (Unsafe.Add(ref x, 1) ^ Unsafe.Add(ref y, 1))
            | (Unsafe.Add(ref x, 2) ^ Unsafe.Add(ref y, 2))
            | (Unsafe.Add(ref x, 3) ^ Unsafe.Add(ref y, 3))
            | (Unsafe.Add(ref x, 4) ^ Unsafe.Add(ref y, 4))
            | (Unsafe.Add(ref x, 5) ^ Unsafe.Add(ref y, 5))) == 0;
    }
}
