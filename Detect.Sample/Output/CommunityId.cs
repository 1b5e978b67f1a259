using System.Buffers.Binary;
using System.Diagnostics;
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
        int addressLength = flow.IsIPv6 ? 16 : 4;
        Span<byte> source = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        flow.Source.CopyTo(source);
        flow.Destination.CopyTo(destination);
        source = source[..addressLength];
        destination = destination[..addressLength];
        ushort sourcePort = flow.SourcePort;
        ushort destinationPort = flow.DestinationPort;
        bool oneWay = false;
        if (flow.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            (sourcePort, destinationPort, oneWay) = IcmpPorts(flow);
        }

        int order = source.SequenceCompareTo(destination);
        bool swap = !oneWay && (order > 0 || (order == 0 && sourcePort > destinationPort));
        if (swap)
        {
            Span<byte> keep = source;
            source = destination;
            destination = keep;
            (sourcePort, destinationPort) = (destinationPort, sourcePort);
        }

        int length = 0;
        BinaryPrimitives.WriteUInt16BigEndian(input, seed);
        length += 2;
        source.CopyTo(input[length..]);
        length += addressLength;
        destination.CopyTo(input[length..]);
        length += addressLength;
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

    /// <summary>"1:" and the base64 of the hash.</summary>
    private static int Text(ReadOnlySpan<byte> hash, Span<byte> utf8)
    {
        "1:"u8.CopyTo(utf8);
        int written = WriteBase64(hash, utf8[2..]);
        Debug.Assert(written == Utf8Length - 2, "a SHA-1 is 28 base64 characters");
        return 2 + written;
    }

    /// <summary>
    /// Standard base64 with padding, three bytes at a time. <c>Base64.EncodeToUtf8</c> takes a
    /// 20-byte hash into its vector path, code the runtime's precompiled image does not hold for
    /// this machine: it ran tier-0 JIT code for most of a run's flow lines.
    /// </summary>
    private static int WriteBase64(ReadOnlySpan<byte> data, Span<byte> utf8)
    {
        ReadOnlySpan<byte> alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;
        int at = 0;
        int i = 0;
        for (; i + 3 <= data.Length; i += 3)
        {
            int group = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            utf8[at] = alphabet[group >> 18];
            utf8[at + 1] = alphabet[(group >> 12) & 63];
            utf8[at + 2] = alphabet[(group >> 6) & 63];
            utf8[at + 3] = alphabet[group & 63];
            at += 4;
        }

        int left = data.Length - i;
        if (left > 0)
        {
            int group = (data[i] << 16) | (left == 2 ? data[i + 1] << 8 : 0);
            utf8[at] = alphabet[group >> 18];
            utf8[at + 1] = alphabet[(group >> 12) & 63];
            utf8[at + 2] = left == 2 ? alphabet[(group >> 6) & 63] : (byte)'=';
            utf8[at + 3] = (byte)'=';
            at += 4;
        }

        return at;
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
