using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Detection;

/// <summary>Per-flow detection state, kept in a flow-storage slot registered at start-up.</summary>
internal sealed class DetectionFlowState
{
    public TlsRecordTracker TlsToServer;
    public TlsRecordTracker TlsToClient;

    /// <summary>The firewall's and tcp.session's part of the flow's state.</summary>
    public FirewallFlowState Firewall;

    private ulong[]? _flowbits;

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

    /// <summary>A drop or reject rule matched in simulated IPS mode: the rest of the flow is dropped, not inspected.</summary>
    public bool Dropped { get; set; }

    /// <summary>A pass rule matched: the flow is no longer inspected.</summary>
    public bool Passed { get; set; }

    /// <summary>Bypass was requested (rule, stream depth or TLS); the engine stops delivering the flow.</summary>
    public bool BypassRequested { get; set; }

    /// <summary>An alert was written for the flow.</summary>
    public bool Alerted { get; set; }

    /// <summary>TCP payload bytes seen client → server.</summary>
    public long StreamBytesToServer { get; set; }

    /// <summary>TCP payload bytes seen server → client.</summary>
    public long StreamBytesToClient { get; set; }

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
