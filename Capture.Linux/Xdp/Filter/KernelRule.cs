using System.Runtime.InteropServices;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// One entry of the filter's <c>bypass_rules</c> map (struct bypass_rule in Xdp/Bpf/xdp_bypass.c,
/// 88 bytes): one source prefix, one destination prefix, one source and one destination port range
/// of a header-only bypass rule. Addresses in network order, already masked (IPv4 in the first
/// word); ports in host order, inclusive.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KernelRule
{
    public const int Size = 88;

    public fixed byte Source[16];
    public fixed byte SourceMask[16];
    public fixed byte Destination[16];
    public fixed byte DestinationMask[16];
    public ulong Sid;
    public ushort SourcePortLow;
    public ushort SourcePortHigh;
    public ushort DestinationPortLow;
    public ushort DestinationPortHigh;
    public byte Protocol;
    public byte Family;
    public byte BothWays;
    private fixed byte _pad[5];
}
