namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// Suricata's firewall mode, ahead of threat detection: each packet goes through the packet tables
/// (<c>pre_flow</c>, <c>pre_stream</c>: default <c>accept:hook</c>; <c>packet:filter</c>, the <c>all</c> and
/// <c>flow_start</c> hooks: default <c>drop:packet</c>), then, for an established TCP session or
/// other flow whose application layer moved, through each application-layer state up to the one the
/// transaction reached, those it skipped included (<c>http1:request_started</c> ... <c>request_complete</c>;
/// default <c>drop:flow</c> at every state without an accepting rule): Suricata evaluates every state at
/// least once, so a request without a trailer still meets <c>request_trailer</c>. Rules are evaluated in
/// file order within a hook; the first accept or drop decides it. Shared by the workers: all per-flow
/// state is in the flow's.
/// </summary>
internal sealed class FirewallEngine
{
    private readonly Rule[] _preFlow;
    private readonly Rule[] _preStream;
    private readonly Rule[] _packetFilter;
    private readonly Rule[] _requestHooks;
    private readonly Rule[] _responseHooks;

    public FirewallEngine(IEnumerable<Rule> rules)
    {
        Rule[] firewall = [.. rules.Where(r => r.Firewall is not null)];
        _preFlow = [.. firewall.Where(r => r.Firewall!.Hook.Table == FirewallTable.PreFlow)];
        _preStream = [.. firewall.Where(r => r.Firewall!.Hook.Table == FirewallTable.PreStream)];
        _packetFilter = [.. firewall.Where(r => r.Firewall!.Hook.Table == FirewallTable.PacketFilter)];
        // Per state, in file order (OrderBy is stable).
        _requestHooks = [.. firewall.Where(r => r.Firewall!.Hook is { Table: FirewallTable.App, ToServer: true }).OrderBy(r => r.Firewall!.Hook.Progress)];
        _responseHooks = [.. firewall.Where(r => r.Firewall!.Hook is { Table: FirewallTable.App, ToServer: false }).OrderBy(r => r.Firewall!.Hook.Progress)];
    }

    /// <summary>
    /// Runs the firewall on one packet of a flow. Rules with the <c>alert</c> action that match are
    /// added to <paramref name="alerts"/> from <paramref name="alertCount"/> on.
    /// </summary>
    /// <param name="packet">The packet's tuple, source = sender.</param>
    /// <param name="facts">Its header facts (tcp.session phases included).</param>
    /// <param name="buffers">Its buffers.</param>
    /// <param name="state">The flow's detection state; the firewall's part of it is updated.</param>
    /// <param name="hosts">Hostbits.</param>
    /// <param name="streamEstablished">A TCP session past its handshake, or any other flow: the application layer is inspected.</param>
    /// <param name="alerts">Room for alerting rules.</param>
    /// <param name="alertCount">How many alerts are in <paramref name="alerts"/>.</param>
    /// <param name="verdict">The drop, when the outcome is <see cref="FirewallOutcome.Dropped"/>.</param>
    public FirewallOutcome Evaluate(in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState state, HostBitTable hosts, bool streamEstablished, Span<Rule?> alerts, ref int alertCount, out PacketVerdict verdict)
    {
        verdict = PacketVerdict.Accept;
        ref FirewallFlowState fw = ref state.Firewall;
        bool firstThisWay = facts.ToServer ? !fw.SeenToServer : !fw.SeenToClient;
        if (facts.ToServer)
        {
            fw.SeenToServer = true;
        }
        else
        {
            fw.SeenToClient = true;
        }

        if (fw.AcceptedFlow)
        {
            return FirewallOutcome.Accepted;
        }

        // Pre-flow and pre-stream hooks default to accept:hook; the packet filter to drop:packet.
        if (RunPacketTables([(_preFlow, DropReason.FlowPreHook, false), (_preStream, DropReason.StreamPreHook, false), (_packetFilter, DropReason.Rules, true)], packet, facts, ref buffers, state, hosts, firstThisWay, alerts, ref alertCount, ref verdict) is { } decided)
        {
            return decided;
        }

        return streamEstablished ? InspectApplicationLayer(packet, facts, ref buffers, state, hosts, alerts, ref alertCount, ref verdict) : FirewallOutcome.Inspect;
    }

    /// <summary>
    /// Runs the firewall on a packet without a flow (IGMP, GRE, one that failed to decode past its IP
    /// header), as Suricata's flow worker and packet filter see every packet: the <c>pre_flow</c> hook
    /// (default <c>accept:hook</c>), then the packet filter (default <c>drop:packet</c>), whose
    /// <c>flow_start</c> rules need a flow's first packet and so never match. There is no flow to
    /// accept or drop: a <c>:flow</c> scope acts on the packet alone.
    /// </summary>
    /// <returns><see cref="FirewallOutcome.Inspect"/> when the packet filter accepted it by <c>accept:hook</c> (threat detection runs next), else accepted or dropped for good.</returns>
    public FirewallOutcome EvaluateWithoutFlow(in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, HostBitTable hosts, Span<Rule?> alerts, ref int alertCount, out PacketVerdict verdict)
    {
        verdict = PacketVerdict.Accept;
        return RunPacketTables([(_preFlow, DropReason.FlowPreHook, false), (_packetFilter, DropReason.Rules, true)], packet, facts, ref buffers, state: null, hosts, firstThisWay: false, alerts, ref alertCount, ref verdict)
            ?? FirewallOutcome.Inspect;
    }

    /// <summary>
    /// Runs packet tables in order: in each the first matching rule decides (<see cref="Apply"/>); a
    /// table without one passes the packet on, or drops it by the default packet policy when
    /// <c>DefaultDrop</c>. Null when every table passed it on (<c>accept:hook</c>).
    /// </summary>
    private static FirewallOutcome? RunPacketTables(scoped ReadOnlySpan<(Rule[] Table, DropReason Reason, bool DefaultDrop)> tables, in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState? state, HostBitTable hosts, bool firstThisWay, Span<Rule?> alerts, ref int alertCount, ref PacketVerdict verdict)
    {
        foreach ((Rule[] table, DropReason reason, bool defaultDrop) in tables)
        {
            Rule? decided = FirstMatch(table, packet, facts, ref buffers, state, hosts, firstThisWay, alerts, ref alertCount);
            if (decided is null)
            {
                if (defaultDrop)
                {
                    verdict = PacketVerdict.Drop(DropReason.DefaultPacketPolicy, byFirewall: true);
                    return FirewallOutcome.Dropped;
                }

                continue;
            }

            if (Apply(decided.Firewall!, state, reason, ref verdict) is { } final)
            {
                return final;
            }
        }

        return null;
    }

    /// <summary>The first rule of a packet table that matches the packet (its alert noted), or null; <c>flow_start</c> rules only on a direction's first packet.</summary>
    private static Rule? FirstMatch(Rule[] table, in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState? state, HostBitTable hosts, bool firstThisWay, Span<Rule?> alerts, ref int alertCount)
    {
        foreach (Rule rule in table)
        {
            if ((rule.Firewall!.Hook.FlowStart && !firstThisWay) || !rule.Matches(packet, facts, ref buffers, state, hosts))
            {
                continue;
            }

            Alert(rule, alerts, ref alertCount);
            return rule;
        }

        return null;
    }

    /// <summary>The application-layer tables: every state the direction's transaction reached since the firewall last accepted it.</summary>
    private FirewallOutcome InspectApplicationLayer(in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState state, HostBitTable hosts, Span<Rule?> alerts, ref int alertCount, ref PacketVerdict verdict)
    {
        ref FirewallFlowState fw = ref state.Firewall;
        if (buffers.App != AppProtocol.Http)
        {
            // The host tracks application-layer states of HTTP/1 only: other protocols have no
            // transactions here, so no app hook applies to them (as a flow without an app layer).
            return FirewallOutcome.Inspect;
        }

        bool toServer = facts.ToServer;
        ref HttpHookProgress progress = ref toServer ? ref fw.RequestProgress : ref fw.ResponseProgress;
        ref int acceptedTo = ref toServer ? ref fw.RequestAcceptedTo : ref fw.ResponseAcceptedTo;
        ref int acceptedTransaction = ref toServer ? ref fw.RequestAcceptedTransaction : ref fw.ResponseAcceptedTransaction;
        // One packet may end a transaction and start the next (pipelining, a body's end and the next
        // head): each transaction's states go through the hooks.
        ReadOnlySpan<byte> payload = buffers.Payload;
        int at = 0;
        while (at < payload.Length)
        {
            bool moved = progress.Update(payload[at..], toServer, out int used);
            at += used;
            if (!moved)
            {
                continue;
            }

            if (acceptedTransaction != progress.Transaction)
            {
                acceptedTransaction = progress.Transaction;
                acceptedTo = -1;
            }

            if (RunHooks(toServer ? _requestHooks : _responseHooks, progress.Progress, ref acceptedTo, packet, facts, ref buffers, state, hosts, alerts, ref alertCount, ref verdict) is { } final)
            {
                return final;
            }
        }

        return FirewallOutcome.Inspect;
    }

    /// <summary>
    /// Runs the hooks of the states after <paramref name="acceptedTo"/> up to <paramref name="progress"/>,
    /// each once, a state the transaction jumped over included; null when all accepted (by hook or tx).
    /// </summary>
    private static FirewallOutcome? RunHooks(Rule[] hooks, int progress, ref int acceptedTo, in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState state, HostBitTable hosts, Span<Rule?> alerts, ref int alertCount, ref PacketVerdict verdict)
    {
        ref FirewallFlowState fw = ref state.Firewall;
        for (int hook = acceptedTo + 1; hook <= progress; hook++)
        {
            Rule? decided = null;
            foreach (Rule rule in hooks)
            {
                if (rule.Firewall!.Hook.Progress != hook || !rule.Matches(packet, facts, ref buffers, state, hosts))
                {
                    continue;
                }

                Alert(rule, alerts, ref alertCount);
                decided = rule;
                break;
            }

            if (decided is null)
            {
                if (CoveredByLater(hooks, hook, packet, facts, ref buffers, state, hosts))
                {
                    acceptedTo = hook;
                    continue;
                }

                // drop:flow, the default of every application-layer state.
                state.Dropped = true;
                fw.DroppedByFirewall = true;
                verdict = PacketVerdict.Drop(DropReason.DefaultAppPolicy, byFirewall: true);
                return FirewallOutcome.Dropped;
            }

            if (decided.Firewall!.Scope == FirewallActionScope.Tx && decided.Firewall.Verdict == FirewallVerdict.Accept)
            {
                acceptedTo = int.MaxValue - 1;
                return null;
            }

            acceptedTo = hook;
            if (Apply(decided.Firewall, state, DropReason.Rules, ref verdict) is { } final)
            {
                return final;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether an accepting rule of a later state that also accepts the states before it
    /// (<c>proto:&lt;state</c>) applies to the packet at <paramref name="hook"/>: as Suricata's partial
    /// match, its header, flow and packet keywords must match, not yet its buffers.
    /// </summary>
    private static bool CoveredByLater(Rule[] hooks, int hook, in Capture.Abstractions.FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState state, HostBitTable hosts)
    {
        foreach (Rule rule in hooks)
        {
            FirewallRuleSpec spec = rule.Firewall!;
            if (spec.Hook.AcceptsPriorStates && spec.Hook.Progress > hook && spec.Verdict == FirewallVerdict.Accept
                && rule.Matches(packet, facts, ref buffers, state, hosts, inspectBuffers: false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Applies a deciding rule's action; null when evaluation goes on with the next hook
    /// (<c>accept:hook</c>). Without a flow (<paramref name="state"/> null) a <c>:flow</c> scope acts on the packet alone.
    /// </summary>
    private static FirewallOutcome? Apply(FirewallRuleSpec spec, DetectionFlowState? state, DropReason reason, ref PacketVerdict verdict)
    {
        if (spec.Verdict == FirewallVerdict.Accept)
        {
            switch (spec.Scope)
            {
                case FirewallActionScope.Hook or FirewallActionScope.Tx:
                    return null;
                case FirewallActionScope.Flow when state is not null:
                    state.Firewall.AcceptedFlow = true;
                    break;
            }

            if (spec.PassFlow && state is not null)
            {
                state.Passed = true;
            }

            return FirewallOutcome.Accepted;
        }

        if (spec.Scope == FirewallActionScope.Flow && state is not null)
        {
            state.Dropped = true;
            state.Firewall.DroppedByFirewall = true;
        }

        verdict = PacketVerdict.Drop(reason, byFirewall: true, rejected: spec.Verdict == FirewallVerdict.Reject);
        return FirewallOutcome.Dropped;
    }

    private static void Alert(Rule rule, Span<Rule?> alerts, ref int alertCount)
    {
        if (rule.Firewall!.Alert && alertCount < alerts.Length)
        {
            alerts[alertCount++] = rule;
        }
    }
}
