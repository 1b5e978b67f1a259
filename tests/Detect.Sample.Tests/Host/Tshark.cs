using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Detect.Sample.Tests.Host;

/// <summary>tshark, the independent reader the flow counts are checked against.</summary>
internal static partial class Tshark
{
    public static IReadOnlyList<TsharkConversation> Conversations(string capture)
    {
        string text = Run("-r", capture, "-q", "-z", "conv,tcp", "-z", "conv,udp");
        var rows = new List<TsharkConversation>();
        string protocol = string.Empty;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("TCP Conversations", StringComparison.Ordinal))
            {
                protocol = "TCP";
            }
            else if (line.StartsWith("UDP Conversations", StringComparison.Ordinal))
            {
                protocol = "UDP";
            }

            Match m = Row().Match(line);
            if (!m.Success)
            {
                continue;
            }

            // Columns: A <-> B | frames, bytes B->A ("<-") | frames, bytes A->B ("->") | total | start | duration
            (double bytesBToA, bool exactBA) = Size(m.Groups["bba"].Value, m.Groups["uba"].Value);
            (double bytesAToB, bool exactAB) = Size(m.Groups["bab"].Value, m.Groups["uab"].Value);
            rows.Add(new TsharkConversation(
                protocol,
                m.Groups["a"].Value,
                m.Groups["b"].Value,
                long.Parse(m.Groups["fab"].Value, CultureInfo.InvariantCulture),
                bytesAToB,
                long.Parse(m.Groups["fba"].Value, CultureInfo.InvariantCulture),
                bytesBToA,
                exactAB && exactBA));
        }

        return rows;
    }

    /// <summary>
    /// The UDP/TCP flows that ICMP errors in the capture refer to ("src:port|dst:port" of the quoted
    /// packet) with how many errors each: the engine attributes those errors to the flow, tshark does not.
    /// </summary>
    public static Dictionary<string, int> IcmpErrorsByQuotedFlow(string capture)
    {
        string text = Run("-r", capture, "-Y", "(icmp.type==3 || icmp.type==11) && (udp || tcp)", "-T", "fields", "-E", "occurrence=l",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport", "-e", "tcp.dstport");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            string source = $"{First(f[0], f[1])}:{First(f[2], f[3])}";
            string destination = $"{First(f[4], f[5])}:{First(f[6], f[7])}";
            string key = Key(source, destination);
            result[key] = result.GetValueOrDefault(key) + 1;
        }

        return result;
    }

    /// <summary>
    /// The UDP/TCP flows ("src:port|dst:port" of the innermost packet) that travel inside a tunnel
    /// (frames with more than one IP header): the engine counts their inner IP bytes, tshark whole frames.
    /// </summary>
    public static HashSet<string> TunnelledFlows(string capture)
    {
        string text = Run("-r", capture, "-Y", "(count(ip) > 1 || count(ipv6) > 1 || (ip && ipv6)) && (udp || tcp) && !icmp && !icmpv6", "-T", "fields", "-E", "occurrence=l",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport", "-e", "tcp.dstport");
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            result.Add(Key($"{First(f[0], f[1])}:{First(f[2], f[3])}", $"{First(f[4], f[5])}:{First(f[6], f[7])}"));
        }

        return result;
    }

    /// <summary>Every frame of a capture (or those a display filter selects), in file order.</summary>
    public static IReadOnlyList<TsharkFrame> Frames(string capture, string filter = "")
    {
        string text = Run("-r", capture, "-Y", filter, "-o", "frame.generate_md5_hash:TRUE", "-T", "fields", "-E", "occurrence=l",
            "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.md5_hash",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "udp.dstport");
        var frames = new List<TsharkFrame>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            // Written as EveLog.Endpoint writes an EVE endpoint: no port where the protocol has none.
            string source = Endpoint(First(f[4], f[5]), First(f[6], f[7]));
            string destination = Endpoint(First(f[8], f[9]), First(f[10], f[11]));
            frames.Add(new TsharkFrame(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture), f[3], Key(source, destination)));
        }

        return frames;
    }

    public static string Key(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? $"{a}|{b}" : $"{b}|{a}";

    private static string First(string x, string y) => x.Length > 0 ? x : y;

    private static string Endpoint(string address, string port) => port.Length > 0 ? $"{address}:{port}" : address;

    private static (double Value, bool Exact) Size(string number, string unit)
    {
        double value = double.Parse(number.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
        return unit switch
        {
            "bytes" => (value, true),
            "kB" => (value * 1000, false),
            "MB" => (value * 1_000_000, false),
            _ => throw new InvalidOperationException($"unknown tshark size unit '{unit}'"),
        };
    }

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("tshark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("tshark did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("tshark is not installed: run scripts/setup.sh");
            throw;
        }

        using (process)
        {
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"tshark {string.Join(' ', args)} failed: {error.Result}");
            return output;
        }
    }

    [GeneratedRegex(@"^(?<a>\S+)\s+<->\s+(?<b>\S+)\s+(?<fba>\d+)\s+(?<bba>[\d,.]+)\s+(?<uba>bytes|kB|MB)\s+(?<fab>\d+)\s+(?<bab>[\d,.]+)\s+(?<uab>bytes|kB|MB)\s+\d+\s+[\d,.]+\s+(bytes|kB|MB)", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Row();
}
