using System.Net;
using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

public sealed class AddressTextTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.200.7")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("fe80::1:2")]
    [InlineData("2001:db8::")]
    [InlineData("2001:DB8:0:0:8:800:200C:417A")]
    [InlineData("2001:db8:0:0:0:0:0:1")]
    [InlineData("1:2:3:4:5:6::8")]
    [InlineData("1::3:4:5:6:7:8")]
    [InlineData("::ffff:192.0.2.128")]
    [InlineData("64:ff9b::10.1.2.3")]
    [InlineData("1:2:3:4:5:6:1.2.3.4")]
    public void Reads_what_the_platform_reads_the_same(string text)
    {
        Assert.Equal(IPAddress.Parse(text).GetAddressBytes(), AddressText.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.")]
    [InlineData(".1.2.3")]
    [InlineData("1..2.3")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.4a")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("10")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData("1:::2")]
    [InlineData("1::2::3")]
    [InlineData(":1::")]
    [InlineData("1::2:")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7::8")]
    [InlineData("12345::")]
    [InlineData("g::1")]
    [InlineData("1.2.3.4::")]
    [InlineData("::1.2.3.4:5")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    public void Refuses_what_is_no_address(string text)
    {
        Assert.Null(AddressText.Parse(text));
    }

    [Theory]
    [InlineData("fe80::/10", "fe80::1234", true)]
    [InlineData("fe80::/10", "fec0::1", false)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.2.3.4", true)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.1.3.4", false)]
    public void Blocks_parsed_here_match_as_before(string set, string address, bool expected)
    {
        AddressSet parsed = AddressSet.Parse(set, new Dictionary<string, string>());
        IPAddress ip = IPAddress.Parse(address);
        Assert.Equal(expected, parsed.Matches(FlowAddress.FromBytes(ip.GetAddressBytes()), ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
    }
}
