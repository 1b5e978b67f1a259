using System.Diagnostics;
using System.Globalization;

namespace Capture.AfPacket.Bench;

/// <summary>netsniff-ng's trafgen in the namespace: 60-byte UDP/IPv4 frames over 100 flows (source ports 9984..10083).</summary>
internal static class TrafficGenerator
{
    public const int FirstPort = 9984;
    public const int Flows = 100;

    private const string Config = """
        {
          0x02, 0xbb, 0x00, 0x00, 0x00, 0x01,
          0x02, 0xbb, 0x00, 0x00, 0x00, 0x02,
          0x08, 0x00,
          0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, csumip(14, 33),
          10, 200, 0, 2,
          10, 200, 0, 1,
          0x27, dinc(0, 99), 0x00, 0x09, 0x00, 0x1a, 0x00, 0x00,
          fill(0x5a, 18)
        }
        """;

    /// <summary>Sends <paramref name="packets"/> frames at <paramref name="rate"/> packets per second (0: as fast as possible); returns the seconds it took.</summary>
    public static double Send(long packets, long rate)
    {
        string path = Path.Combine(Path.GetTempPath(), "afpacket-bench.cfg");
        File.WriteAllText(path, Config);
        var arguments = new List<string>
        {
            "netns", "exec", BenchNetwork.Namespace, "trafgen", "--dev", BenchNetwork.PeerInterface, "--conf", path,
            "-n", packets.ToString(CultureInfo.InvariantCulture), "-P", "1",
        };
        if (rate > 0)
        {
            arguments.Add("-b");
            arguments.Add($"{rate.ToString(CultureInfo.InvariantCulture)}pps");
        }

        var stopwatch = Stopwatch.StartNew();
        BenchNetwork.Run("ip", [.. arguments]);
        return stopwatch.Elapsed.TotalSeconds;
    }
}
