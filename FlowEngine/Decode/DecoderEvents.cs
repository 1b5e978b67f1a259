namespace FlowEngine.Decode;

/// <summary>
/// The decoder events a packet can raise, by the names Suricata's <c>decode-event</c> keyword and
/// EVE <c>anomaly</c> records use (<c>ipv4.trunc_pkt</c>, ...): each is a <c>decoder.event.*</c>
/// counter, and <see cref="DecodedPacket.EventCodes"/> holds the codes of one packet's events.
/// </summary>
public static class DecoderEvents
{
    private const string Prefix = "decoder.event.";

    private static readonly Dictionary<string, ushort> Codes = BuildCodes();

    // Built once: anomaly records name the event per packet.
    private static readonly string[] AnomalyNames = [.. Enumerable.Range(0, (int)DecoderCounter.Count).Select(i => "decoder." + DecoderCounters.NameOf((DecoderCounter)i).Replace("decoder.event.", string.Empty, StringComparison.Ordinal).Replace("decoder.", string.Empty, StringComparison.Ordinal))];

    /// <summary>Every event name the decoder raises.</summary>
    public static IEnumerable<string> Names => Codes.Keys;

    /// <summary>Whether <paramref name="counter"/> is an event (a <c>decoder.event.*</c> counter).</summary>
    internal static bool IsEvent(DecoderCounter counter) => DecoderCounters.NameOf(counter).StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The event's name without the <c>decoder.event.</c> prefix, e.g. <c>udp.len_invalid</c>.</summary>
    /// <param name="code">A code from <see cref="DecodedPacket.EventCodes"/>.</param>
    /// <returns>The name.</returns>
    public static string Name(ushort code) => DecoderCounters.NameOf((DecoderCounter)code)[Prefix.Length..];

    /// <summary>The event's name in an EVE anomaly record: <c>decoder.</c> and <see cref="Name"/>, e.g. <c>decoder.ipv4.trunc_pkt</c>.</summary>
    /// <param name="code">A code from <see cref="DecodedPacket.EventCodes"/>.</param>
    /// <returns>The name.</returns>
    public static string AnomalyName(ushort code) => AnomalyNames[code];

    /// <summary>The code of an event name as <see cref="Name"/> gives it.</summary>
    /// <param name="name">The name, e.g. <c>ipv6.ipv4_in_ipv6_wrong_version</c>.</param>
    /// <param name="code">The code.</param>
    /// <returns>False when the decoder raises no such event.</returns>
    public static bool TryGetCode(string name, out ushort code) => Codes.TryGetValue(name, out code);

    private static Dictionary<string, ushort> BuildCodes()
    {
        var codes = new Dictionary<string, ushort>(StringComparer.Ordinal);
        for (int i = 0; i < (int)DecoderCounter.Count; i++)
        {
            string name = DecoderCounters.NameOf((DecoderCounter)i);
            if (name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                codes[name[Prefix.Length..]] = (ushort)i;
            }
        }

        return codes;
    }
}
