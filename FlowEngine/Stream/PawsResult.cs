namespace FlowEngine.Stream;

/// <summary>The outcome of a packet's timestamp check.</summary>
internal enum PawsResult : byte
{
    /// <summary>Checked and accepted.</summary>
    Valid,

    /// <summary>Not checked (the receiving host's policy skips it): accepted, and the sender's last timestamp stays.</summary>
    Unchecked,

    /// <summary>Refused (<see cref="StreamEvent.PacketInvalidTimestamp"/>).</summary>
    Rejected,
}
