namespace FlowEngine.Stream;

/// <summary>
/// The names of <see cref="StreamEvent"/>s as Suricata writes them: <c>pkt_invalid_timestamp</c> for
/// the <c>stream-event</c> keyword, <c>stream.pkt_invalid_timestamp</c> in EVE <c>anomaly</c> records.
/// </summary>
public static class StreamEvents
{
    private static readonly string[] Names =
    [
        string.Empty,
        "3whs_ack_in_wrong_dir",
        "3whs_async_wrong_seq",
        "3whs_right_seq_wrong_ack_evasion",
        "3whs_synack_in_wrong_direction",
        "3whs_synack_resend_with_different_ack",
        "3whs_synack_resend_with_diff_seq",
        "3whs_synack_toserver_on_syn_recv",
        "3whs_synack_with_wrong_ack",
        "3whs_synack_flood",
        "3whs_synack_tfo_data_ignored",
        "3whs_syn_resend_diff_seq_on_syn_recv",
        "3whs_syn_toclient_on_syn_recv",
        "3whs_wrong_seq_wrong_ack",
        "3whs_ack_data_inject",
        "3whs_syn_flood",
        "4whs_synack_with_wrong_ack",
        "4whs_synack_with_wrong_syn",
        "4whs_wrong_seq",
        "4whs_invalid_ack",
        "closewait_ack_out_of_window",
        "closewait_fin_out_of_window",
        "closewait_pkt_before_last_ack",
        "closewait_invalid_ack",
        "closing_ack_wrong_seq",
        "closing_invalid_ack",
        "est_packet_out_of_window",
        "est_pkt_before_last_ack",
        "est_synack_resend",
        "est_synack_resend_with_different_ack",
        "est_synack_resend_with_diff_seq",
        "est_synack_toserver",
        "est_syn_resend",
        "est_syn_resend_diff_seq",
        "est_syn_toclient",
        "est_invalid_ack",
        "est_ack_zwp_data",
        "fin_invalid_ack",
        "fin1_ack_wrong_seq",
        "fin1_fin_wrong_seq",
        "fin1_invalid_ack",
        "fin2_ack_wrong_seq",
        "fin2_fin_wrong_seq",
        "fin2_invalid_ack",
        "fin_but_no_session",
        "fin_out_of_window",
        "fin_syn",
        "lastack_ack_wrong_seq",
        "lastack_invalid_ack",
        "rst_but_no_session",
        "timewait_ack_wrong_seq",
        "timewait_invalid_ack",
        "shutdown_syn_resend",
        "pkt_invalid_timestamp",
        "pkt_invalid_ack",
        "pkt_broken_ack",
        "rst_invalid_ack",
        "pkt_retransmission",
        "pkt_spurious_retransmission",
        "pkt_bad_window_update",
        "suspected_rst_inject",
        "wrong_thread",
        "rst_with_data",
        "reassembly_segment_before_base_seq",
        "reassembly_no_segment",
        "reassembly_seq_gap",
        "reassembly_overlap_different_data",
        "reassembly_depth_reached",
        "reassembly_insert_memcap",
        "reassembly_insert_limit",
        "reassembly_insert_invalid",
        "reassembly_urgent_oob_limit_reached",
    ];

    // Built once: anomaly records name the event per packet.
    private static readonly string[] AnomalyNames = [.. Names.Select(n => "stream." + n)];

    private static readonly Dictionary<string, StreamEvent> Codes = Enumerable.Range(1, Names.Length - 1).ToDictionary(i => Names[i], i => (StreamEvent)i, StringComparer.Ordinal);

    /// <summary>Every event name, as the <c>stream-event</c> keyword takes it.</summary>
    public static IEnumerable<string> All => Codes.Keys;

    /// <summary>The event's keyword name, e.g. <c>est_packet_out_of_window</c>.</summary>
    /// <param name="streamEvent">The event.</param>
    /// <returns>The name.</returns>
    public static string Name(StreamEvent streamEvent) => Names[(int)streamEvent];

    /// <summary>The event's name in an EVE anomaly record, e.g. <c>stream.est_packet_out_of_window</c>.</summary>
    /// <param name="streamEvent">The event.</param>
    /// <returns>The name.</returns>
    public static string AnomalyName(StreamEvent streamEvent) => AnomalyNames[(int)streamEvent];

    /// <summary>The event of a keyword name.</summary>
    /// <param name="name">The name, e.g. <c>reassembly_depth_reached</c>.</param>
    /// <param name="streamEvent">The event.</param>
    /// <returns>False when Suricata has no such stream event.</returns>
    public static bool TryParse(string name, out StreamEvent streamEvent) => Codes.TryGetValue(name, out streamEvent);
}
