using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// Community ID flow hashing, version 1 (corelight/community-id-spec): SHA-1 over the seed, the
/// ordered addresses, the protocol, a pad byte and the ordered ports, base64, prefixed "1:".
/// </summary>
internal static class CommunityId
{
    /// <summary>Bytes of an id as <see cref="Format"/> writes it: "1:" and the base64 of a SHA-1.</summary>
    public const int Utf8Length = 2 + 28;

    /// <summary>The longest hash input: the seed, two IPv6 addresses, the protocol, a pad byte and two ports.</summary>
    private const int MaxInputLength = 2 + 32 + 2 + 4;

    /// <summary>Computes the id of a flow. ICMP flows without a type in the tuple are taken as echo.</summary>
    public static string Compute(in FlowTuple flow, ushort seed)
    {
        Span<byte> text = stackalloc byte[Utf8Length];
        return Encoding.ASCII.GetString(text[..Format(flow, seed, text)]);
    }

    /// <summary>Writes the id of a flow as ASCII (no allocation: the flow-end path writes one per flow).</summary>
    /// <param name="flow">The flow's tuple.</param>
    /// <param name="seed">The configured seed.</param>
    /// <param name="utf8">At least <see cref="Utf8Length"/> bytes.</param>
    /// <returns>Bytes written.</returns>
    public static int Format(in FlowTuple flow, ushort seed, Span<byte> utf8)
    {
        Span<byte> input = stackalloc byte[MaxInputLength];
        int length = Input(flow, seed, input);
        Span<byte> hash = stackalloc byte[Sha1.HashLength];
        Sha1.HashData(input[..length], hash);
        return Text(hash, utf8);
    }

    /// <summary>
    /// Writes the ids of four flows at once (<see cref="Sha1.HashFour"/>: about the time of one and
    /// a half), id <c>i</c> at <c>utf8[(i * Utf8Length)..]</c>.
    /// </summary>
    /// <param name="utf8">At least four ids' room.</param>
    public static void FormatFour(in FlowTuple flow0, in FlowTuple flow1, in FlowTuple flow2, in FlowTuple flow3, ushort seed, Span<byte> utf8)
    {
        Span<byte> inputs = stackalloc byte[4 * MaxInputLength];
        int length0 = Input(flow0, seed, inputs[..MaxInputLength]);
        int length1 = Input(flow1, seed, inputs.Slice(MaxInputLength, MaxInputLength));
        int length2 = Input(flow2, seed, inputs.Slice(2 * MaxInputLength, MaxInputLength));
        int length3 = Input(flow3, seed, inputs.Slice(3 * MaxInputLength, MaxInputLength));
        Span<byte> hashes = stackalloc byte[4 * Sha1.HashLength];
        Sha1.HashFour(inputs[..length0], inputs.Slice(MaxInputLength, length1), inputs.Slice(2 * MaxInputLength, length2), inputs.Slice(3 * MaxInputLength, length3), hashes);
        for (int i = 0; i < 4; i++)
        {
            Text(hashes.Slice(i * Sha1.HashLength, Sha1.HashLength), utf8.Slice(i * Utf8Length, Utf8Length));
        }
    }

    /// <summary>The hash's input: the seed, the ordered addresses, the protocol, a pad byte and the ordered ports.</summary>
    /// <returns>Its length.</returns>
    private static int Input(in FlowTuple flow, ushort seed, Span<byte> input)
    {
        Debug.Assert(input.Length >= MaxInputLength, "room for the longest input");
        int addressLength = flow.IsIPv6 ? 16 : 4;

        // Both addresses as they go into the hash, one after the other; their order is that of
        // their bytes, compared as big-endian numbers (no span comparison call per flow).
        Span<byte> addresses = stackalloc byte[32];
        flow.Source.CopyTo(addresses);
        flow.Destination.CopyTo(addresses[16..]);
        int order = flow.IsIPv6
            ? Compare(addresses[..16], addresses[16..])
            : BinaryPrimitives.ReadUInt32BigEndian(addresses).CompareTo(BinaryPrimitives.ReadUInt32BigEndian(addresses[16..]));
        ushort sourcePort = flow.SourcePort;
        ushort destinationPort = flow.DestinationPort;
        bool oneWay = false;
        if (flow.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            (sourcePort, destinationPort, oneWay) = IcmpPorts(flow);
        }

        bool swap = !oneWay && (order > 0 || (order == 0 && sourcePort > destinationPort));
        int first = swap ? 16 : 0;
        if (swap)
        {
            (sourcePort, destinationPort) = (destinationPort, sourcePort);
        }

        BinaryPrimitives.WriteUInt16BigEndian(input, seed);
        addresses.Slice(first, addressLength).CopyTo(input[2..]);
        addresses.Slice(16 - first, addressLength).CopyTo(input[(2 + addressLength)..]);
        int length = 2 + (2 * addressLength);
        input[length++] = flow.Protocol;
        input[length++] = 0;
        if (flow.Protocol is IpProtocol.Icmp or IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmpv6 or IpProtocol.Sctp)
        {
            BinaryPrimitives.WriteUInt16BigEndian(input[length..], sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(input[(length + 2)..], destinationPort);
            length += 4;
        }

        return length;
    }

    /// <summary>The order of two IPv6 addresses' bytes, as two big-endian halves each.</summary>
    private static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        int high = BinaryPrimitives.ReadUInt64BigEndian(left).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(right));
        return high != 0 ? high : BinaryPrimitives.ReadUInt64BigEndian(left[8..]).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(right[8..]));
    }

    /// <summary>"1:" and the base64 of the hash.</summary>
    private static int Text(ReadOnlySpan<byte> hash, Span<byte> utf8)
    {
        "1:"u8.CopyTo(utf8);
        int written = WriteBase64(hash, utf8[2..]);
        Debug.Assert(written == Utf8Length - 2, "a SHA-1 is 28 base64 characters");
        return 2 + written;
    }

    /// <summary>
    /// Standard base64 with padding of a SHA-1 hash (20 bytes: six groups of three and one of two),
    /// each group's four characters in one store. <c>Base64.EncodeToUtf8</c> takes a 20-byte hash
    /// into its vector path, code the runtime's precompiled image does not hold for this machine: it
    /// ran tier-0 JIT code for most of a run's flow lines.
    /// </summary>
    private static int WriteBase64(ReadOnlySpan<byte> hash, Span<byte> utf8)
    {
        const int Length = 28;
        ArgumentOutOfRangeException.ThrowIfNotEqual(hash.Length, Sha1.HashLength, nameof(hash));
        ArgumentOutOfRangeException.ThrowIfLessThan(utf8.Length, Length, nameof(utf8));
        ref byte source = ref MemoryMarshal.GetReference(hash);
        ref byte target = ref MemoryMarshal.GetReference(utf8);
        for (int i = 0; i < 6; i++)
        {
            ref byte three = ref Unsafe.Add(ref source, i * 3);
            uint group = (uint)((three << 16) | (Unsafe.Add(ref three, 1) << 8) | Unsafe.Add(ref three, 2));
            StoreFour(ref Unsafe.Add(ref target, i * 4), Base64Char(group >> 18), Base64Char(group >> 12), Base64Char(group >> 6), Base64Char(group));
        }

        uint last = (uint)((Unsafe.Add(ref source, 18) << 16) | (Unsafe.Add(ref source, 19) << 8));
        StoreFour(ref Unsafe.Add(ref target, 24), Base64Char(last >> 18), Base64Char(last >> 12), Base64Char(last >> 6), (byte)'=');
        return Length;
    }

    /// <summary>The base64 character of the low six bits of <paramref name="sixBits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Base64Char(uint sixBits) =>
        Unsafe.Add(ref MemoryMarshal.GetReference("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8), (int)(sixBits & 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour(ref byte target, byte first, byte second, byte third, byte fourth)
    {
        uint four = first | ((uint)second << 8) | ((uint)third << 16) | ((uint)fourth << 24);
        Unsafe.WriteUnaligned(ref target, BitConverter.IsLittleEndian ? four : BinaryPrimitives.ReverseEndianness(four));
    }

    /// <summary>
    /// The spec's ICMP port mapping: the type is the source port, the counterpart type (echo
    /// request → reply, ...) the destination port; types without a counterpart are one-way.
    /// The engine keys echo-style flows with the identifier as both ports (the flow's first packet
    /// is taken as the request) and other messages with source port 0 and destination port
    /// <c>type &lt;&lt; 8 | code</c>.
    /// </summary>
    private static (ushort Source, ushort Destination, bool OneWay) IcmpPorts(in FlowTuple flow)
    {
        byte type;
        byte code;
        if (flow.SourcePort == flow.DestinationPort)
        {
            type = flow.Protocol == IpProtocol.Icmp ? (byte)8 : (byte)128;
            code = 0;
        }
        else
        {
            type = (byte)(flow.DestinationPort >> 8);
            code = (byte)flow.DestinationPort;
        }

        int counterpart = flow.Protocol == IpProtocol.Icmp
            ? type switch { 8 => 0, 0 => 8, 13 => 14, 14 => 13, 15 => 16, 16 => 15, 10 => 9, 9 => 10, 17 => 18, 18 => 17, _ => -1 }
            : type switch { 128 => 129, 129 => 128, 133 => 134, 134 => 133, 135 => 136, 136 => 135, 130 => 131, 131 => 130, 144 => 145, 145 => 144, _ => -1 };
        return counterpart < 0 ? (type, code, true) : (type, (ushort)counterpart, false);
    }
}
