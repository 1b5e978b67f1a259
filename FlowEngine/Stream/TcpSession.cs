using FlowEngine.Storage;

namespace FlowEngine.Stream;

/// <summary>
/// The TCP session of one flow (Suricata's TcpSession): the state and the two directions. Kept in
/// the flow's storage, created (or taken from the sessions of ended flows) by the packet that
/// starts a session, and kept for another flow when its flow ends (reset as that flow takes it).
/// </summary>
internal sealed class TcpSession : IReusableFlowState
{
    public TcpState State;

    /// <summary>The state before the last change (a packet in the closed state after a one-sided RST is handled in it).</summary>
    public TcpState PreviousState;

    public TcpSessionFlags Flags;

    /// <summary>TCP flags seen client → server.</summary>
    public byte ClientTcpFlags;

    /// <summary>TCP flags seen server → client.</summary>
    public byte ServerTcpFlags;

    /// <summary>Client → server.</summary>
    public TcpStream Client;

    /// <summary>Server → client.</summary>
    public TcpStream Server;

    public void SetState(TcpState state)
    {
        if (state != State)
        {
            PreviousState = State;
            State = state;
        }
    }

    /// <summary>Notes a packet's flags; a one-sided session stops being one once both sides sent.</summary>
    public void TrackFlags(byte flags, bool toServer)
    {
        if (toServer)
        {
            ClientTcpFlags |= flags;
        }
        else
        {
            ServerTcpFlags |= flags;
        }

        if ((Flags & TcpSessionFlags.Async) != 0 && ClientTcpFlags != 0 && ServerTcpFlags != 0)
        {
            Flags &= ~TcpSessionFlags.Async;
        }
    }

    /// <summary>Back to a new session.</summary>
    public void Reset()
    {
        State = TcpState.None;
        PreviousState = TcpState.None;
        Flags = TcpSessionFlags.None;
        ClientTcpFlags = 0;
        ServerTcpFlags = 0;
        Client = default;
        Server = default;
    }
}
