using System.Runtime.CompilerServices;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Storage;

namespace Detect.Sample.Detection;

/// <summary>
/// Per-flow detection state, kept in a flow-storage slot registered at start-up. One per flow: a
/// new flow takes one an ended flow of its worker left (reset), else allocates one. What only some
/// flows need (flowbits, TLS record tracking, the firewall's part, the stream's) is allocated apart, on first use.
/// </summary>
internal sealed class DetectionFlowState : IReusableFlowState
{
    private ulong[]? _flowbits;

    // The firewall's and tcp.session's part, with its own allocation: most flows never need it.
    private StrongBox<FirewallFlowState>? _firewall;

    // What the rule groups said of the flow's header: Asked, Any and AnyWithoutPayload to the server,
    // the same three bits shifted by ToClientShift to the client. Bits beside the flow's other flags,
    // not four nullables. The two bits above them say which directions detection has seen a packet of.
    private const int Asked = 1, Any = 2, AnyWithoutPayload = 4, ToClientShift = 3, SeenToServer = 64, SeenToClient = 128;
    private byte _candidates;

    /// <summary>The firewall's and tcp.session's part of the flow's state, created on first use.</summary>
    public ref FirewallFlowState Firewall => ref (_firewall ??= new StrongBox<FirewallFlowState>()).Value;

    /// <summary>Whether the flow's drop came from a firewall rule or policy (<see cref="FirewallFlowState.DroppedByFirewall"/>), without creating the firewall's part.</summary>
    public bool DroppedByFirewall => _firewall is { } firewall && firewall.Value.DroppedByFirewall;

    /// <summary>Whether a firewall <c>accept:flow</c> matched (<see cref="FirewallFlowState.AcceptedFlow"/>), without creating the firewall's part.</summary>
    public bool AcceptedByFirewall => _firewall is { } firewall && firewall.Value.AcceptedFlow;

    /// <summary>
    /// Whether some rule can match the flow's packets in one direction by their header (<paramref name="any"/>),
    /// those with payload or those without (<paramref name="withoutPayload"/>), as
    /// <see cref="PacketDetector.HasCandidates"/> answered it; false until it is asked. The header it
    /// goes by (protocol, family, ports) is the flow's key, the same for every packet of a direction.
    /// </summary>
    /// <remarks>Every packet asks: inlined, and no nullable to return (the AOT build called it).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetCandidates(bool toServer, bool withoutPayload, out bool any)
    {
        int bits = toServer ? _candidates : _candidates >> ToClientShift;
        any = (bits & (withoutPayload ? AnyWithoutPayload : Any)) != 0;
        return (bits & Asked) != 0;
    }

    /// <summary>Keeps <see cref="PacketDetector.HasCandidates"/>' answers for one direction of the flow.</summary>
    public void SetCandidates(bool toServer, bool any, bool anyWithoutPayload)
    {
        int bits = Asked | (any ? Any : 0) | (anyWithoutPayload ? AnyWithoutPayload : 0);
        _candidates |= (byte)(toServer ? bits : bits << ToClientShift);
    }

    /// <summary>
    /// Whether this is the first packet detection sees in the direction (Suricata's
    /// FLOW_PKT_TOSERVER_FIRST / TOCLIENT_FIRST, when IP-only rules run); marks the direction seen.
    /// </summary>
    public bool TakeFirstInDirection(bool toServer)
    {
        int bit = toServer ? SeenToServer : SeenToClient;
        bool first = (_candidates & bit) == 0;
        _candidates |= (byte)bit;
        return first;
    }

    /// <summary>The flow's application-layer protocol, once detected.</summary>
    public AppProtocol App { get; set; }

    /// <summary>
    /// The packet being inspected found another protocol than the other direction had
    /// (Suricata's APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS): its anomaly record is still to be written.
    /// </summary>
    public bool ProtocolMismatch { get; set; }

    private AppProtocol _appToServer;
    private AppProtocol _appToClient;
    private byte _attemptsToServer;
    private byte _attemptsToClient;

    /// <summary>The protocol detection found in one direction.</summary>
    public AppProtocol AppOf(bool toServer) => toServer ? _appToServer : _appToClient;

    /// <summary>Payload packets detection looked at in one direction.</summary>
    public int AppDetectionAttemptsOf(bool toServer) => toServer ? _attemptsToServer : _attemptsToClient;

    /// <summary>Counts one detection attempt in a direction and keeps what it found; returns it.</summary>
    public AppProtocol CountDetectionAttempt(bool toServer, AppProtocol found)
    {
        if (toServer)
        {
            _attemptsToServer++;
            _appToServer = found;
        }
        else
        {
            _attemptsToClient++;
            _appToClient = found;
        }

        return found;
    }

    /// <summary>The flow's TLS record tracking (TLS bypass), once its first payload opened a handshake record.</summary>
    public TlsFlowTracking? Tls { get; set; }

    /// <summary>What rules gather from the flow's payload (HTTP bodies over packets, flow variables), once a rule needs it.</summary>
    public FlowCaptures? Captures { get; set; }

    /// <summary>A direction's payload is not TLS: the flow is never bypassed as TLS, and its payload is no longer followed for it.</summary>
    public bool NotTls { get; set; }

    /// <summary>A drop or reject rule matched in simulated IPS mode: the rest of the flow is dropped, not inspected.</summary>
    public bool Dropped { get; set; }

    /// <summary>A pass rule matched: the flow is no longer inspected.</summary>
    public bool Passed { get; set; }

    /// <summary>Bypass was requested (rule, stream depth or TLS); the engine stops delivering the flow.</summary>
    public bool BypassRequested { get; set; }

    /// <summary>An alert was written for the flow.</summary>
    public bool Alerted { get; set; }

    /// <summary>
    /// A packet of the flow with an Ethernet header of its own was seen (<see cref="NoteMacs"/>):
    /// <see cref="ClientMac"/> and <see cref="ServerMac"/> hold its addresses.
    /// </summary>
    public bool MacsSeen { get; private set; }

    /// <summary>The client's MAC of the flow's first packet with an Ethernet header of its own (Suricata's <c>MacSetGetFirst</c>, source side).</summary>
    public ulong ClientMac { get; private set; }

    /// <summary>The server's MAC of that packet.</summary>
    public ulong ServerMac { get; private set; }

    /// <summary>Keeps the first Ethernet addresses the flow's packets carried, client's first.</summary>
    public void NoteMacs(ulong client, ulong server)
    {
        MacsSeen = true;
        ClientMac = client;
        ServerMac = server;
    }

    /// <summary>TCP payload bytes seen client → server.</summary>
    public long StreamBytesToServer { get; set; }

    /// <summary>TCP payload bytes seen server → client.</summary>
    public long StreamBytesToClient { get; set; }

    /// <summary>The stream tails and split HTTP heads of the flow, created on first need.</summary>
    public DetectionStreamState? Stream { get; set; }

    /// <summary>Back to a new flow's state (its flow ended and a new flow of the worker takes it); what was allocated apart is dropped.</summary>
    public void Reset()
    {
        _flowbits = null;
        _firewall = null;
        _candidates = 0;
        App = default;
        ProtocolMismatch = false;
        _appToServer = default;
        _appToClient = default;
        _attemptsToServer = 0;
        _attemptsToClient = 0;
        Tls = null;
        Captures = null;
        NotTls = false;
        Dropped = false;
        Passed = false;
        BypassRequested = false;
        Alerted = false;
        MacsSeen = false;
        ClientMac = 0;
        ServerMac = 0;
        StreamBytesToServer = 0;
        StreamBytesToClient = 0;
        Stream = null;
    }

    /// <summary>Whether flowbit <paramref name="bit"/> is set.</summary>
    public bool IsSet(int bit) => _flowbits is { } bits && bit >> 6 < bits.Length && (bits[bit >> 6] & (1UL << (bit & 63))) != 0;

    /// <summary>Runs a matching rule's flowbit commands (set, unset, toggle).</summary>
    public void Apply(IReadOnlyList<FlowbitCommand> commands, int bitCount)
    {
        foreach (FlowbitCommand command in commands)
        {
            if (command.IsCondition)
            {
                continue;
            }

            // Allocated on the first flowbit a flow sets, sized for every bit of the rule set.
            _flowbits ??= new ulong[(bitCount + 63) >> 6];
            foreach (int bit in command.Bits)
            {
                ulong mask = 1UL << (bit & 63);
                ref ulong word = ref _flowbits[bit >> 6];
                word = command.Command switch
                {
                    FlowbitCommand.Op.Set => word | mask,
                    FlowbitCommand.Op.Unset => word & ~mask,
                    _ => word ^ mask,
                };
            }
        }
    }
}
