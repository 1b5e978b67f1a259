using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace FlowEngine.Flows;

/// <summary>
/// The direction-normalised key of a flow, 48 bytes: the lower (address, port) end first, so
/// both directions of a flow make the same key. Protocols without real ports (ICMP id/type,
/// ESP SPI halves) keep their two numbers sorted instead of following the addresses.
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

    /// <summary>Tunnel depth of the layer.</summary>
    public byte TunnelDepth;

    /// <summary>1 for IPv6.</summary>
    public byte IsIPv6;

    /// <summary>Valid VLAN ids (0 when VLAN tracking is off).</summary>
    public byte VlanCount;

    /// <summary>Outermost VLAN id.</summary>
    public ushort Vlan0;

    /// <summary>Second VLAN id.</summary>
    public ushort Vlan1;

    /// <summary>Third VLAN id.</summary>
    public ushort Vlan2;

    /// <summary>Zero; keeps the key 48 bytes with no undefined padding.</summary>
    public ushort Reserved;

    /// <summary>Builds the key of a layer. <paramref name="sourceIsLow"/> tells which end sent the packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FromLayer(in PacketLayer layer, bool vlanTracking, out FlowKey key, out bool sourceIsLow)
    {
        key = default;
        int order = CompareAddresses(in layer.Source, in layer.Destination);
        bool portless = layer.Protocol is 1 or 58 or 50;
        if (order == 0 && !portless)
        {
            order = layer.SourcePort.CompareTo(layer.DestinationPort);
        }

        sourceIsLow = order <= 0;
        if (sourceIsLow)
        {
            key.Low = layer.Source;
            key.High = layer.Destination;
        }
        else
        {
            key.Low = layer.Destination;
            key.High = layer.Source;
        }

        if (portless)
        {
            // ICMP echo id / type-code and ESP SPI halves do not belong to one address: keep them sorted.
            key.LowPort = Math.Min(layer.SourcePort, layer.DestinationPort);
            key.HighPort = Math.Max(layer.SourcePort, layer.DestinationPort);
        }
        else if (sourceIsLow)
        {
            key.LowPort = layer.SourcePort;
            key.HighPort = layer.DestinationPort;
        }
        else
        {
            key.LowPort = layer.DestinationPort;
            key.HighPort = layer.SourcePort;
        }

        key.Protocol = layer.Protocol;
        key.TunnelDepth = layer.TunnelDepth;
        key.IsIPv6 = layer.IsIPv6 ? (byte)1 : (byte)0;
        if (vlanTracking && layer.VlanCount > 0)
        {
            key.VlanCount = Math.Min(layer.VlanCount, (byte)3);
            key.Vlan0 = (ushort)(layer.Vlan0 & 0x0FFF);
            key.Vlan1 = key.VlanCount > 1 ? (ushort)(layer.Vlan1 & 0x0FFF) : (ushort)0;
            key.Vlan2 = key.VlanCount > 2 ? (ushort)(layer.Vlan2 & 0x0FFF) : (ushort)0;
        }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CompareAddresses(in FlowAddress a, in FlowAddress b)
    {
        // Any total order does; compare the raw words (byte order of the machine).
        ref ulong x = ref Unsafe.As<FlowAddress, ulong>(ref Unsafe.AsRef(in a));
        ref ulong y = ref Unsafe.As<FlowAddress, ulong>(ref Unsafe.AsRef(in b));
        int first = x.CompareTo(y);
        return first != 0 ? first : Unsafe.Add(ref x, 1).CompareTo(Unsafe.Add(ref y, 1));
    }
}
