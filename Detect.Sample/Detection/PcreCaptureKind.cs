namespace Detect.Sample.Detection;

/// <summary>Where a <c>pcre</c> capture goes, as Suricata's capture names say (<c>alert_</c>/<c>flow_</c>/<c>pkt_</c> prefixes, or <c>alert:</c>/<c>flow:</c>/<c>pkt:</c> after the flags).</summary>
internal enum PcreCaptureKind : byte
{
    /// <summary>The alert's own variable: written as <c>alert.context.NAME</c>.</summary>
    Alert,

    /// <summary>A flow variable: kept by the flow, written in <c>metadata.flowvars</c> of its alerts.</summary>
    Flow,

    /// <summary>A packet variable: written in <c>metadata.pktvars</c> of the packet's alerts.</summary>
    Packet,
}
