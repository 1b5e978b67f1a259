using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary><c>dcerpc.stub_data</c> and <c>alert dcerpc</c> rules through the detector, on a crafted DCE/RPC conversation.</summary>
public sealed class DcerpcStubDataTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("10.0.0.5", 51286, "10.0.0.9", 49302);

    // BIND to the server and BIND_ACK back: what protocol detection sees first.
    private static readonly byte[] Bind = [5, 0, 11, 3, 0x10, 0, 0, 0, 20, 0, 0, 0, 27, 0, 0, 0, 0xd0, 0x16, 0xd0, 0x16];
    private static readonly byte[] BindAck = [5, 0, 12, 3, 0x10, 0, 0, 0, 20, 0, 0, 0, 27, 0, 0, 0, 0xd0, 0x16, 0xd0, 0x16];

    private static readonly string[] SuricataVerifyRules =
    [
        "alert tcp any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|09 00 00 00 00 01 00 00|\"; sid:1;)",
        "alert tcp any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|09 00|\"; sid:2;)",
        "alert tcp any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|01 09 00|\"; sid:3;)",
        "alert dcerpc any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|09 00 00 00 00 01 00 00|\"; sid:11;)",
        "alert dcerpc any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|09 00|\"; sid:12;)",
        "alert dcerpc any any -> any any (flow:to_server; dcerpc.stub_data; content:\"|01 09 00|\"; sid:13;)",
    ];

    private static List<long>[] Run(string[] rules, params (bool ToServer, byte[] Payload)[] packets) => FlowRuns.Sids(rules, ToServer, packets);

    [Fact]
    public void The_request_stub_data_matches_on_tcp_and_dcerpc_rules_as_in_suricata_verify()
    {
        byte[] request = DcerpcPduTests.Pdu(DcerpcPdu.Request, [0x09, 0, 0, 0, 0, 0x01, 0, 0], objectUuid: [0x74, 0xc0, 0xd8, 0xcc, 0xe5, 0xd0, 0x40, 0x4a, 0x92, 0xb4, 0xd0, 0x74, 0xfa, 0xa6, 0xba, 0x28], flags: 0x03);
        byte[] response = DcerpcPduTests.Pdu(DcerpcPdu.Response, [0x09, 0, 0, 0, 0, 0x01, 0, 0]);

        List<long>[] got = Run(SuricataVerifyRules, (true, Bind), (false, BindAck), (true, request), (false, response));

        Assert.Empty(got[0]);
        Assert.Empty(got[1]);
        Assert.Equal([1, 2, 11, 12], got[2].Order());
        Assert.Empty(got[3]);
    }

    [Fact]
    public void Responses_are_inspected_to_the_client_and_requests_to_the_server()
    {
        string[] rules =
        [
            "alert dcerpc any any -> any any (dcerpc.stub_data; content:\"REQ\"; sid:1;)",
            "alert dcerpc any any -> any any (dcerpc.stub_data; content:\"RSP\"; sid:2;)",
        ];
        byte[] request = DcerpcPduTests.Pdu(DcerpcPdu.Request, "REQ-RSP"u8.ToArray());
        byte[] response = DcerpcPduTests.Pdu(DcerpcPdu.Response, "RSP"u8.ToArray());
        byte[] requestSentToClient = DcerpcPduTests.Pdu(DcerpcPdu.Request, "REQ"u8.ToArray());

        List<long>[] got = Run(rules, (true, request), (false, response), (false, requestSentToClient));

        Assert.Equal([1, 2], got[0].Order());
        Assert.Equal([2], got[1]);
        Assert.Empty(got[2]);
    }

    [Fact]
    public void Each_pdu_of_a_payload_is_its_own_buffer_and_the_auth_verifier_is_not_inspected()
    {
        string[] rules =
        [
            "alert dcerpc any any -> any any (dcerpc.stub_data; content:\"second\"; startswith; sid:1;)",
            "alert dcerpc any any -> any any (dcerpc.stub_data; content:\"firstsecond\"; sid:2;)",
            "alert dcerpc any any -> any any (dcerpc.stub_data; content:\"SECRET\"; sid:3;)",
            "alert dcerpc any any -> any any (dcerpc.stub_data; pcre:\"/^first$/\"; sid:4;)",
        ];
        byte[] payload = [.. DcerpcPduTests.Pdu(DcerpcPdu.Request, "first"u8.ToArray(), authValue: "SECRET"u8.ToArray()), .. DcerpcPduTests.Pdu(DcerpcPdu.Request, "second"u8.ToArray(), littleEndian: false)];

        List<long>[] got = Run(rules, (true, payload));

        Assert.Equal([1, 4], got[0].Order());
    }

    [Fact]
    public void Stub_data_rules_need_a_flow_detected_as_dcerpc()
    {
        string[] rules = ["alert tcp any any -> any any (dcerpc.stub_data; content:\"x\"; sid:1;)", "alert tcp any any -> any any (content:\"x\"; sid:2;)"];
        byte[] notDcerpc = "GET /x HTTP/1.1\r\n\r\n"u8.ToArray();

        List<long>[] got = Run(rules, (true, notDcerpc));

        Assert.Equal([2], got[0]);
    }

    [Fact]
    public void Stub_data_in_a_rule_of_another_application_protocol_is_refused()
    {
        var empty = new Dictionary<string, string>();
        RuleSyntaxException error = Assert.Throws<RuleSyntaxException>(() => RuleParser.Parse("alert http any any -> any any (dcerpc.stub_data; content:\"x\"; sid:1;)", empty, empty, "t.rules", 1));
        Assert.Contains("dcerpc.stub_data", error.Message, StringComparison.Ordinal);
    }
}
