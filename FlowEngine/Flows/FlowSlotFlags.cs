namespace FlowEngine.Flows;

/// <summary>Bits of a flow record's hot part.</summary>
[Flags]
internal enum FlowSlotFlags : byte
{
    None = 0,

    /// <summary>The slot holds a flow (clear: it belongs to a free cluster).</summary>
    InUse = 1,

    /// <summary>The client (the side that opened the flow) is <see cref="FlowKey.Low"/>.</summary>
    ClientIsLow = 2,

    /// <summary>A packet client → server was seen.</summary>
    SeenToServer = 4,

    /// <summary>A packet server → client was seen.</summary>
    SeenToClient = 8,

    /// <summary>TCP FIN client → server.</summary>
    FinToServer = 16,

    /// <summary>TCP FIN server → client.</summary>
    FinToClient = 32,

    /// <summary>Detection alerted on the flow.</summary>
    Alerted = 64,

    /// <summary>A new TCP session took over the flow's key (TCP session reuse): lookups pass it by and the manager ends it.</summary>
    Reused = 128,
}
