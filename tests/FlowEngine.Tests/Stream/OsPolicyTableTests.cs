using System.Net;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Stream;

namespace FlowEngine.Tests.Stream;

public sealed class OsPolicyTableTests
{
    private static OsPolicy Of(OsPolicyTable table, string address)
    {
        IPAddress parsed = IPAddress.Parse(address);
        return table.Of(FlowAddress.FromBytes(parsed.GetAddressBytes()), parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
    }

    [Fact]
    public void The_longest_prefix_holding_an_address_decides_and_equal_prefixes_keep_the_configuration_order()
    {
        OsPolicyTable table = new(
        [
            new HostOsPolicy(IPNetwork.Parse("10.0.0.0/8"), OsPolicy.Windows),
            new HostOsPolicy(IPNetwork.Parse("10.1.2.0/24"), OsPolicy.Linux),
            new HostOsPolicy(IPNetwork.Parse("10.1.0.0/16"), OsPolicy.Solaris),
            new HostOsPolicy(IPNetwork.Parse("10.1.0.0/16"), OsPolicy.Irix),
            new HostOsPolicy(IPNetwork.Parse("2001:db8::/32"), OsPolicy.Vista),
        ]);

        Assert.Equal(OsPolicy.Linux, Of(table, "10.1.2.3"));
        Assert.Equal(OsPolicy.Solaris, Of(table, "10.1.9.9"));
        Assert.Equal(OsPolicy.Windows, Of(table, "10.9.9.9"));
        Assert.Equal(OsPolicy.Bsd, Of(table, "192.0.2.1"));
        Assert.Equal(OsPolicy.Vista, Of(table, "2001:db8::1"));
        Assert.Equal(OsPolicy.Bsd, Of(table, "2001:db9::1"));
    }
}
