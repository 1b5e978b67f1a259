using System.Buffers.Binary;

namespace Detect.Sample.Detection;

/// <summary>
/// One connection-oriented DCE/RPC PDU (C706 chapter 12) read in place from a TCP payload: the common
/// 16-byte header and, for REQUEST and RESPONSE, the call header and the stub data. Views the
/// payload's bytes; nothing is copied.
/// </summary>
internal readonly ref struct DcerpcPdu
{
    /// <summary>The common header's length.</summary>
    public const int HeaderLength = 16;

    /// <summary>REQUEST.</summary>
    public const byte Request = 0;

    /// <summary>RESPONSE.</summary>
    public const byte Response = 2;

    /// <summary>The highest PDU type C706 and MS-RPCE define (RTS).</summary>
    public const byte LastType = 20;

    /// <summary><c>PFC_FIRST_FRAG</c>.</summary>
    public const byte FirstFragment = 0x01;

    /// <summary><c>PFC_LAST_FRAG</c>.</summary>
    public const byte LastFragment = 0x02;

    /// <summary><c>PFC_OBJECT_UUID</c>: a REQUEST carries an object UUID after its opnum.</summary>
    public const byte ObjectUuidFlag = 0x80;

    /// <summary>The auth verifier's header (auth type, level, pad length, reserved, context id) before the auth_length bytes.</summary>
    public const int AuthVerifierHeaderLength = 8;

    // REQUEST: alloc_hint, p_cont_id, opnum. RESPONSE: alloc_hint, p_cont_id, cancel_count, reserved.
    private const int CallHeaderLength = 8;
    private const int UuidLength = 16;

    private DcerpcPdu(ReadOnlySpan<byte> objectUuid, ReadOnlySpan<byte> stubData)
    {
        ObjectUuid = objectUuid;
        StubData = stubData;
    }

    public byte Version { get; private init; }

    public byte MinorVersion { get; private init; }

    /// <summary>The PDU type (<see cref="Request"/>, <see cref="Response"/>, ...).</summary>
    public byte Type { get; private init; }

    /// <summary>The <c>pfc_flags</c>.</summary>
    public byte Flags { get; private init; }

    /// <summary>The data representation says little-endian integers (drep[0] bit 4), else big-endian.</summary>
    public bool LittleEndian { get; private init; }

    public ushort FragmentLength { get; private init; }

    public ushort AuthLength { get; private init; }

    public uint CallId { get; private init; }

    /// <summary>REQUEST/RESPONSE: <c>alloc_hint</c>; 0 for other types.</summary>
    public uint AllocHint { get; private init; }

    /// <summary>REQUEST/RESPONSE: the presentation context id; 0 for other types.</summary>
    public ushort ContextId { get; private init; }

    /// <summary>REQUEST: the operation number; -1 for other types.</summary>
    public int Opnum { get; private init; }

    /// <summary>REQUEST with <see cref="ObjectUuidFlag"/>: the 16 bytes of the object UUID as sent; empty otherwise.</summary>
    public ReadOnlySpan<byte> ObjectUuid { get; }

    /// <summary>REQUEST/RESPONSE: the stub data, without the auth verifier; empty for other types.</summary>
    public ReadOnlySpan<byte> StubData { get; }

    /// <summary>The payload ends before <see cref="FragmentLength"/>: the PDU continues in a later segment, and <see cref="StubData"/> is what this one holds.</summary>
    public bool Truncated { get; private init; }

    /// <summary>
    /// Whether <paramref name="payload"/> starts with a DCE/RPC header: version 5 and a data
    /// representation with only the integer and character bits and a known float format (Suricata's
    /// probe), minor version 0 or 1 (what MS-RPCE sends), a known PDU type, and a fragment length that
    /// holds the header and the auth verifier.
    /// </summary>
    public static bool Probe(ReadOnlySpan<byte> payload) => HeaderValid(payload);

    /// <summary>
    /// Reads the PDU <paramref name="input"/> starts with. False when it is not a sane DCE/RPC header
    /// (or shorter than one); a PDU longer than <paramref name="input"/> is returned truncated.
    /// </summary>
    /// <param name="input">Bytes starting at a PDU header.</param>
    /// <param name="pdu">The PDU.</param>
    /// <param name="consumed">The bytes the PDU spans within <paramref name="input"/>.</param>
    public static bool TryRead(ReadOnlySpan<byte> input, out DcerpcPdu pdu, out int consumed)
    {
        pdu = default;
        consumed = 0;
        if (!HeaderValid(input))
        {
            return false;
        }

        bool little = (input[4] & 0x10) != 0;
        ushort fragmentLength = Read16(input[8..], little);
        ushort authLength = Read16(input[10..], little);
        byte type = input[2];
        byte flags = input[3];
        bool truncated = input.Length < fragmentLength;
        ReadOnlySpan<byte> fragment = input[..Math.Min(fragmentLength, input.Length)];
        consumed = fragment.Length;

        uint allocHint = 0;
        ushort contextId = 0;
        int opnum = -1;
        ReadOnlySpan<byte> objectUuid = default;
        ReadOnlySpan<byte> stub = default;
        if (type is Request or Response)
        {
            if (fragmentLength < HeaderLength + CallHeaderLength)
            {
                return false;
            }

            int stubStart = HeaderLength + CallHeaderLength;
            if (type == Request && (flags & ObjectUuidFlag) != 0)
            {
                stubStart += UuidLength;
                if (fragmentLength < stubStart)
                {
                    return false;
                }
            }

            // The auth verifier (its 8-byte header, then auth_length bytes) closes the fragment.
            int stubEnd = fragmentLength - (authLength == 0 ? 0 : authLength + AuthVerifierHeaderLength);
            if (stubEnd < stubStart)
            {
                return false;
            }

            const int CallHeaderEnd = HeaderLength + CallHeaderLength;
            if (fragment.Length >= CallHeaderEnd)
            {
                allocHint = Read32(fragment[16..], little);
                contextId = Read16(fragment[20..], little);
                if (type == Request)
                {
                    opnum = Read16(fragment[22..], little);
                }
            }

            if (stubStart > CallHeaderEnd && fragment.Length >= stubStart)
            {
                objectUuid = fragment.Slice(CallHeaderEnd, UuidLength);
            }

            if (stubStart < fragment.Length)
            {
                stub = fragment[stubStart..Math.Min(stubEnd, fragment.Length)];
            }
        }

        pdu = new DcerpcPdu(objectUuid, stub)
        {
            Version = input[0],
            MinorVersion = input[1],
            Type = type,
            Flags = flags,
            LittleEndian = little,
            FragmentLength = fragmentLength,
            AuthLength = authLength,
            CallId = Read32(input[12..], little),
            AllocHint = allocHint,
            ContextId = contextId,
            Opnum = opnum,
            Truncated = truncated,
        };
        return true;
    }

    private static bool HeaderValid(ReadOnlySpan<byte> input)
    {
        if (input.Length < HeaderLength
            || input[0] != 5
            || input[1] > 1
            || input[2] > LastType
            || (input[4] & 0xee) != 0
            || input[5] > 3)
        {
            return false;
        }

        bool little = (input[4] & 0x10) != 0;
        int fragmentLength = Read16(input[8..], little);
        int authLength = Read16(input[10..], little);
        return fragmentLength >= HeaderLength + (authLength == 0 ? 0 : authLength + AuthVerifierHeaderLength);
    }

    private static ushort Read16(ReadOnlySpan<byte> bytes, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes);

    private static uint Read32(ReadOnlySpan<byte> bytes, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
}
