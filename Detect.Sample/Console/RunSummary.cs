using System.Globalization;
using Detect.Sample.Detection;
using Detect.Sample.Output;
using FlowEngine.Pipeline;

namespace Detect.Sample.Console;

/// <summary>The end-of-run summary printed on the console.</summary>
internal static class RunSummary
{
    public static void Write(TextWriter output, EngineStatistics stats, EveFlowSink flows, DetectionCounters detection, RuleSet rules, EveOutputs eves, TimeSpan elapsed)
    {
        CultureInfo c = CultureInfo.InvariantCulture;

        // The headline counts what the captures read (for a file: every packet of it), not what
        // reached the decoder: packets a capture bypass dropped count too.
        long packets = 0;
        long bytes = 0;
        foreach (SourceStatistics source in stats.Sources)
        {
            packets += source.Capture.PacketsReceived + source.Capture.Bypass.Packets;
            bytes += source.Capture.BytesReceived + source.Capture.Bypass.Bytes;
        }

        output.WriteLine(string.Create(c, $"Detect.Sample: {packets:N0} packets, {bytes:N0} bytes in {elapsed.TotalSeconds:F2} s"));
        output.WriteLine(string.Create(c, $"  flows:          {flows.Flows:N0} (tcp {flows.TcpFlows:N0}, udp {flows.UdpFlows:N0}, icmp {flows.IcmpFlows:N0}, other {flows.Flows - flows.TcpFlows - flows.UdpFlows - flows.IcmpFlows:N0})"));
        output.WriteLine(string.Create(c, $"  decoder errors: {stats.Decoder.DecoderErrors:N0} (invalid {stats.Decoder.Invalid:N0})"));
        output.WriteLine(string.Create(c, $"  rules:          {rules.Rules.Count:N0} loaded, {rules.Errors.Count:N0} failed"));
        output.WriteLine(string.Create(c, $"  alerts:         {detection.Alerts:N0}"));
        output.WriteLine(string.Create(c, $"  bypassed flows: local {flows.LocalBypassed:N0}, capture {flows.CaptureBypassed:N0} (by rule {detection.RuleBypasses:N0}, stream depth {detection.StreamDepthBypasses:N0}, tls {detection.TlsBypasses:N0})"));
        output.WriteLine(string.Create(c, $"  bypassed pkts:  local {stats.LocalBypassedPackets:N0}, in flight {stats.LocalCaptureBypassedPackets:N0}, by the capture {stats.CaptureBypassedPackets:N0}"));
        foreach (SourceStatistics source in stats.Sources)
        {
            output.WriteLine(string.Create(c, $"  capture {source.Name}: {source.Capture.PacketsReceived + source.Capture.Bypass.Packets:N0} packets ({source.Capture.Bypass.Packets:N0} bypassed), kernel drops {source.Capture.KernelDrops:N0}, errors {source.Capture.Errors:N0}"));
        }

        foreach (EveWriter eve in eves.Writers)
        {
            long lost = eve.EventsLost;
            output.WriteLine(lost == 0
                ? string.Create(c, $"  eve log:        {eve.Path} ({eve.EventsWritten:N0} events)")
                : string.Create(c, $"  eve log:        {eve.Path} ({eve.EventsWritten:N0} events written, {lost:N0} LOST: {eve.WriteError})"));
        }

        foreach (SharedLogFile log in eves.LineLogs.Where(l => l.LinesLost > 0))
        {
            output.WriteLine(string.Create(c, $"  line log:       {log.Path} ({log.LinesLost:N0} lines LOST: {log.WriteError})"));
        }
    }
}
