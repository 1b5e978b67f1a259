using Capture.Abstractions;

namespace Capture.Abstractions.Tests;

public sealed class CaptureContractTests
{
    [Theory]
    [InlineData(1, 0, 1, 0, true)]
    [InlineData(1, 3, 1, 2, true)]
    [InlineData(1, 2, 1, 3, false)]
    [InlineData(2, 0, 1, 0, false)]
    [InlineData(1, 0, 2, 0, false)]
    public void Majors_must_match_and_the_host_minor_must_cover_the_plugin(int hostMajor, int hostMinor, int pluginMajor, int pluginMinor, bool compatible)
    {
        bool result = CaptureContract.IsCompatible(new Version(hostMajor, hostMinor), new Version(pluginMajor, pluginMinor), out string? reason);

        Assert.Equal(compatible, result);
        if (compatible)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Contains($"{pluginMajor}.{pluginMinor}", reason, StringComparison.Ordinal);
            Assert.Contains($"{hostMajor}.{hostMinor}", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_running_contract_is_the_compiled_constants_and_the_assembly_version()
    {
        Assert.Equal(new Version(CaptureContract.Major, CaptureContract.Minor), CaptureContract.Current);
        Version assembly = typeof(CaptureContract).Assembly.GetName().Version!;
        Assert.Equal(CaptureContract.Major, assembly.Major);
        Assert.Equal(CaptureContract.Minor, assembly.Minor);
    }

    [Fact]
    public void A_plugin_accepts_a_host_by_its_descriptor_unless_it_says_otherwise()
    {
        ICapturePlugin current = new DescribedPlugin(new Version(CaptureContract.Major, CaptureContract.Minor));
        ICapturePlugin newer = new DescribedPlugin(new Version(CaptureContract.Major, CaptureContract.Minor + 1));

        Assert.True(current.AcceptsHost(CaptureContract.Current, out _));
        Assert.False(newer.AcceptsHost(CaptureContract.Current, out string? reason));
        Assert.Contains("upgrade the host", reason, StringComparison.Ordinal);
    }

    private sealed class DescribedPlugin(Version contract) : ICapturePlugin
    {
        public CapturePluginDescriptor Descriptor { get; } = new("test", new Version(1, 0), contract, CaptureCapabilities.Offline, "test plugin");

        public void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services, CapturePluginContext context)
        {
        }
    }
}
