using Capture.Tests.Host;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The built host, live on a test's veth with XDP bypass (generic mode) and one rule, logging into the test's directory.</summary>
internal static class XdpBypassHost
{
    /// <summary>Writes <paramref name="name"/>.rules and <paramref name="name"/>.yaml (plus <paramref name="moreYaml"/>) into <paramref name="work"/>, then starts the host on them (-vv, logs in <c>work/logs</c>).</summary>
    public static RunningHost Start(VethNamespace net, DirectoryInfo work, string name, string rule, string moreYaml = "")
    {
        string yaml = XdpBypassConfiguration.Write(work.FullName, name, net.HostInterface, rule, moreYaml);
        return DetectSampleLocation.Start("-c", yaml, $"--af-packet={net.HostInterface}", "-l", Path.Combine(work.FullName, "logs"), "-vv");
    }
}
