using System.Buffers.Binary;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>The connection-oriented DCE/RPC PDU reader and probe on crafted PDUs.</summary>
public sealed class DcerpcPduTests
{
    private static readonly byte[] ObjectUuid = [0x74, 0xc0, 0xd8, 0xcc, 0xe5, 0xd0, 0x40, 0x4a, 0x92, 0xb4, 0xd0, 0x74, 0xfa, 0xa6, 0xba, 0x28];

    /// <summary>
    /// A REQUEST or RESPONSE PDU: the common header, the call header, the object UUID when given, the
    /// stub data, and an auth verifier (its 8-byte header, then <paramref name="authValue"/>) when given.
    /// </summary>
    internal static byte[] Pdu(byte type, byte[] stub, bool littleEndian = true, uint callId = 27, ushort opnum = 9, ushort contextId = 1, byte[]? objectUuid = null, byte[]? authValue = null, byte flags = DcerpcPdu.FirstFragment | DcerpcPdu.LastFragment)
    {
        int authLength = authValue?.Length ?? 0;
        int length = 24 + (objectUuid?.Length ?? 0) + stub.Length + (authValue is null ? 0 : 8 + authLength);
        byte[] pdu = new byte[length];
        pdu[0] = 5;
        pdu[2] = type;
        pdu[3] = (byte)(flags | (objectUuid is null ? 0 : DcerpcPdu.ObjectUuidFlag));
        pdu[4] = littleEndian ? (byte)0x10 : (byte)0;
        Write16(pdu.AsSpan(8), (ushort)length, littleEndian);
        Write16(pdu.AsSpan(10), (ushort)authLength, littleEndian);
        Write32(pdu.AsSpan(12), callId, littleEndian);
        Write32(pdu.AsSpan(16), (uint)stub.Length, littleEndian);
        Write16(pdu.AsSpan(20), contextId, littleEndian);
        Write16(pdu.AsSpan(22), type == DcerpcPdu.Request ? opnum : (ushort)0, littleEndian);
        int at = 24;
        if (objectUuid is not null)
        {
            objectUuid.CopyTo(pdu, at);
            at += objectUuid.Length;
        }

        stub.CopyTo(pdu, at);
        at += stub.Length;
        if (authValue is not null)
        {
            // auth_type 10 (NTLMSSP), auth_level 6 (privacy), no pad, reserved, context id 0.
            pdu[at] = 10;
            pdu[at + 1] = 6;
            authValue.CopyTo(pdu, at + 8);
        }

        return pdu;
    }

    [Fact]
    public void A_little_endian_request_gives_its_header_call_fields_and_stub_data()
    {
        byte[] stub = [0x09, 0, 0, 0, 0, 0x01, 0, 0];
        byte[] bytes = Pdu(DcerpcPdu.Request, stub, callId: 0x1b, opnum: 0x0102, contextId: 3);

        Assert.True(DcerpcPdu.TryRead(bytes, out DcerpcPdu pdu, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(5, pdu.Version);
        Assert.Equal(0, pdu.MinorVersion);
        Assert.Equal(DcerpcPdu.Request, pdu.Type);
        Assert.True(pdu.LittleEndian);
        Assert.Equal(bytes.Length, pdu.FragmentLength);
        Assert.Equal(0, pdu.AuthLength);
        Assert.Equal(0x1bu, pdu.CallId);
        Assert.Equal(8u, pdu.AllocHint);
        Assert.Equal(3, pdu.ContextId);
        Assert.Equal(0x0102, pdu.Opnum);
        Assert.True(pdu.ObjectUuid.IsEmpty);
        Assert.Equal(stub, pdu.StubData.ToArray());
        Assert.False(pdu.Truncated);
    }

    [Fact]
    public void A_big_endian_request_reads_its_integers_big_endian()
    {
        byte[] stub = [1, 2, 3, 4];
        byte[] bytes = Pdu(DcerpcPdu.Request, stub, littleEndian: false, callId: 0x01020304, opnum: 0x0a0b);

        Assert.Equal(0, bytes[8]); // frag_length's high byte first
        Assert.True(DcerpcPdu.TryRead(bytes, out DcerpcPdu pdu, out _));
        Assert.False(pdu.LittleEndian);
        Assert.Equal(bytes.Length, pdu.FragmentLength);
        Assert.Equal(0x01020304u, pdu.CallId);
        Assert.Equal(0x0a0b, pdu.Opnum);
        Assert.Equal(stub, pdu.StubData.ToArray());
    }

    [Fact]
    public void The_object_uuid_sits_between_the_opnum_and_the_stub_data_when_the_flag_says_so()
    {
        byte[] stub = [0x09, 0, 0, 0, 0, 0x01, 0, 0];
        byte[] bytes = Pdu(DcerpcPdu.Request, stub, objectUuid: ObjectUuid);

        Assert.True(DcerpcPdu.TryRead(bytes, out DcerpcPdu pdu, out _));
        Assert.NotEqual(0, pdu.Flags & DcerpcPdu.ObjectUuidFlag);
        Assert.Equal(ObjectUuid, pdu.ObjectUuid.ToArray());
        Assert.Equal(stub, pdu.StubData.ToArray());
    }

    [Fact]
    public void The_auth_verifier_is_not_stub_data()
    {
        byte[] stub = [0xaa, 0xbb, 0xcc, 0xdd];
        byte[] bytes = Pdu(DcerpcPdu.Response, stub, authValue: [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);

        Assert.True(DcerpcPdu.TryRead(bytes, out DcerpcPdu pdu, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(16, pdu.AuthLength);
        Assert.Equal(-1, pdu.Opnum);
        Assert.Equal(stub, pdu.StubData.ToArray());
    }

    [Fact]
    public void Several_pdus_in_one_payload_are_read_in_turn()
    {
        byte[] bind = [5, 0, 11, 3, 0x10, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0xd0, 0x16, 0xd0, 0x16];
        byte[] first = Pdu(DcerpcPdu.Request, [1, 1], flags: DcerpcPdu.FirstFragment, callId: 2);
        byte[] last = Pdu(DcerpcPdu.Request, [2, 2, 2], flags: DcerpcPdu.LastFragment, callId: 2);
        byte[] payload = [.. bind, .. first, .. last];

        var reader = new DcerpcPduReader(payload);
        Assert.True(reader.TryRead(out DcerpcPdu pdu));
        Assert.Equal(11, pdu.Type);
        Assert.True(pdu.StubData.IsEmpty);
        Assert.Equal(-1, pdu.Opnum);
        Assert.True(reader.TryRead(out pdu));
        Assert.Equal([1, 1], pdu.StubData.ToArray());
        Assert.True(reader.TryRead(out pdu));
        Assert.Equal([2, 2, 2], pdu.StubData.ToArray());
        Assert.False(reader.TryRead(out _));
        Assert.False(reader.Malformed);
    }

    [Fact]
    public void A_pdu_cut_by_the_segment_end_gives_the_stub_data_the_segment_holds()
    {
        byte[] bytes = Pdu(DcerpcPdu.Request, [1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.True(DcerpcPdu.TryRead(bytes.AsSpan(0, 28), out DcerpcPdu pdu, out int consumed));
        Assert.Equal(28, consumed);
        Assert.True(pdu.Truncated);
        Assert.Equal([1, 2, 3, 4], pdu.StubData.ToArray());

        // Cut inside the call header: the header is read, no call fields or stub data.
        Assert.True(DcerpcPdu.TryRead(bytes.AsSpan(0, 18), out pdu, out _));
        Assert.True(pdu.Truncated);
        Assert.Equal(-1, pdu.Opnum);
        Assert.True(pdu.StubData.IsEmpty);
    }

    [Theory]
    [InlineData(0, 4)] // version 4 (connectionless)
    [InlineData(1, 2)] // minor version 2
    [InlineData(2, 21)] // unknown PDU type
    [InlineData(4, 0x12)] // data representation with a reserved bit
    [InlineData(5, 4)] // unknown float representation
    [InlineData(8, 15)] // frag_length shorter than the common header
    public void A_header_that_is_not_dce_rpc_is_refused(int offset, byte value)
    {
        byte[] bytes = Pdu(DcerpcPdu.Request, [1, 2, 3, 4]);
        bytes[offset] = value;

        Assert.False(DcerpcPdu.Probe(bytes));
        Assert.False(DcerpcPdu.TryRead(bytes, out _, out _));
    }

    [Fact]
    public void Garbage_and_short_input_are_refused_and_stop_the_walk_as_malformed()
    {
        Assert.False(DcerpcPdu.TryRead([5, 0, 0, 3], out _, out _));
        Assert.False(DcerpcPdu.TryRead([], out _, out _));

        // An auth_length the fragment cannot hold, a request too short for its call header.
        byte[] auth = Pdu(DcerpcPdu.Request, [1, 2]);
        BinaryPrimitives.WriteUInt16LittleEndian(auth.AsSpan(10), 200);
        Assert.False(DcerpcPdu.TryRead(auth, out _, out _));
        byte[] shortRequest = Pdu(DcerpcPdu.Request, []);
        BinaryPrimitives.WriteUInt16LittleEndian(shortRequest.AsSpan(8), 20);
        Assert.False(DcerpcPdu.TryRead(shortRequest, out _, out _));

        byte[] payload = [.. Pdu(DcerpcPdu.Request, [7]), .. "GET / HTTP/1.1\r\n\r\n"u8.ToArray()];
        var reader = new DcerpcPduReader(payload);
        Assert.True(reader.TryRead(out DcerpcPdu pdu));
        Assert.Equal([7], pdu.StubData.ToArray());
        Assert.False(reader.TryRead(out _));
        Assert.True(reader.Malformed);
    }

    [Fact]
    public void Protocol_detection_finds_dce_rpc_by_its_header_on_any_port()
    {
        Assert.Equal(AppProtocol.Dcerpc, AppProtocolDetection.Detect(6, 49302, true, Pdu(DcerpcPdu.Request, [1])));
        Assert.Equal(AppProtocol.Dcerpc, AppProtocolDetection.Detect(6, 135, false, Pdu(DcerpcPdu.Response, [1], littleEndian: false)));
        Assert.Equal(AppProtocol.Unknown, AppProtocolDetection.Detect(6, 135, true, [5, 0, 0, 3, 0x10, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0]));
        Assert.Equal(AppProtocol.Unknown, AppProtocolDetection.Detect(17, 135, true, Pdu(DcerpcPdu.Request, [1])));
    }

    private static void Write16(Span<byte> to, ushort value, bool little)
    {
        if (little)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(to, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(to, value);
        }
    }

    private static void Write32(Span<byte> to, uint value, bool little)
    {
        if (little)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(to, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(to, value);
        }
    }
}
