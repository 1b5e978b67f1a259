using System.Diagnostics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using FlowEngine.Storage;

namespace FlowEngine.Flows;

/// <summary>
/// Detection's view of the flow of the packet being inspected. Valid only during
/// <see cref="Pipeline.IPacketInspector.Inspect"/> (the record is reused after the flow ends),
/// hence a ref struct. Directions are the flow's own: to server is client → server.
/// </summary>
public readonly ref struct FlowView
{
    private readonly FlowShard _shard;
    private readonly int _slot;

    // The packet being inspected: a bypass names the tunnel it came in. A null reference when the
    // view was made without one (tests of the flow table), and then no tunnel is named.
    private readonly ref readonly DecodedPacket _packet;

    internal FlowView(FlowShard shard, int slot)
    {
        _shard = shard;
        _slot = slot;
    }

    internal FlowView(FlowShard shard, int slot, ref readonly DecodedPacket packet)
    {
        _shard = shard;
        _slot = slot;
        _packet = ref packet;
    }

    /// <summary>EVE <c>flow_id</c>.</summary>
    public long Id => Record.FlowId;

    /// <summary>First packet, nanoseconds since the Unix epoch.</summary>
    public long StartNanoseconds => Record.StartNanoseconds;

    /// <summary>Last packet, nanoseconds since the Unix epoch.</summary>
    public long LastSeenNanoseconds => _shard.Table.Slots[_slot].LastSeenNanoseconds;

    /// <summary>Packets client → server seen by the engine (this packet included).</summary>
    public long PacketsToServer => Record.PacketsToServer;

    /// <summary>Packets server → client seen by the engine.</summary>
    public long PacketsToClient => Record.PacketsToClient;

    /// <summary>Bytes client → server seen by the engine.</summary>
    public long BytesToServer => Record.BytesToServer;

    /// <summary>Bytes server → client seen by the engine.</summary>
    public long BytesToClient => Record.BytesToClient;

    /// <summary>The flow's state.</summary>
    public FlowState State => _shard.Table.Slots[_slot].State;

    /// <summary>How the flow is bypassed, if at all.</summary>
    public BypassKind Bypass => FlowBypass.KindOf(State);

    /// <summary>The flow of the tunnel that carries this flow; 0 on the wire.</summary>
    public long TunnelParentFlowId => _shard.Table.OriginAt(_slot).TunnelParentFlowId;

    /// <summary>Whether <see cref="MarkAlerted"/> was called for the flow.</summary>
    public bool Alerted => (_shard.Table.Slots[_slot].Flags & FlowSlotFlags.Alerted) != 0;

    /// <summary>The flow's tuple, client first.</summary>
    public FlowTuple Tuple => _shard.BuildTuple(_slot);

    private ref FlowRecord Record => ref _shard.Table.Records[_slot];

    /// <summary>Marks the flow as alerted (EVE <c>flow.alerted</c>).</summary>
    public void MarkAlerted() => _shard.Table.Slots[_slot].Flags |= FlowSlotFlags.Alerted;

    /// <summary>The flow's application-layer protocol as the inspector labelled it (its own code; 0: none), handed to the flow's end event.</summary>
    public byte AppProtocol => Record.AppProtocol;

    /// <summary>Labels the flow's application-layer protocol (the inspector's own code, non-zero).</summary>
    /// <param name="code">The code.</param>
    public void SetAppProtocol(byte code) => Record.AppProtocol = code;

    /// <summary>Marks that a pass rule matched the flow (EVE <c>flow.action: pass</c>).</summary>
    public void MarkPassed() => Record.Passed = true;

    /// <summary>Marks that the flow is dropped inline (EVE <c>flow.action: drop</c>).</summary>
    public void MarkDropped() => Record.Dropped = true;

    /// <summary>Marks that a firewall accepted the rest of the flow (EVE <c>flow.action: accept</c>).</summary>
    public void MarkAccepted() => Record.Accepted = true;

    /// <summary>Records the exception policy applied to the flow (the inspector's own code, non-zero), handed to the flow's end event.</summary>
    /// <param name="code">The code.</param>
    public void SetExceptionPolicy(byte code) => Record.ExceptionPolicy = code;

    /// <summary>Reads a storage slot of this flow.</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A slot registered before the engine started.</param>
    /// <returns>The value, or null when not set.</returns>
    /// <remarks>
    /// Inlined and without a cast: the registry gives a slot's column one type (checked in debug
    /// builds). Called, or with <c>as T</c>, it is shared code for every reference type, whose cast
    /// an ahead-of-time build makes through a runtime lookup of <typeparamref name="T"/> and the
    /// general cast helper on every packet.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T? GetStorage<T>(FlowStorageSlot<T> slot)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(slot);
        object? value = _shard.Table.Storage[slot.Index][_slot];
        Debug.Assert(value is null or T, "a storage column holds its slot's type only");
        return Unsafe.As<T>(value);
    }

    /// <summary>Writes a storage slot of this flow; dropped (or kept for reuse, see <see cref="IReusableFlowState"/>) when the flow ends.</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A slot registered before the engine started.</param>
    /// <param name="value">The value, or null to clear.</param>
    public void SetStorage<T>(FlowStorageSlot<T> slot, T? value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(slot);
        _shard.Table.Storage[slot.Index][_slot] = value;
    }

    /// <summary>
    /// A value of <paramref name="slot"/>'s type that an ended flow of this shard left, reset
    /// (<see cref="IReusableFlowState"/>), to store for this flow instead of a new one; null when none is kept.
    /// </summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A slot registered before the engine started.</param>
    /// <returns>The value, not stored yet, or null.</returns>
    public T? TakeReusable<T>(FlowStorageSlot<T> slot)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(slot);
        object? value = _shard.Table.TakeReusable(slot.Index);
        Debug.Assert(value is null or T, "a storage column holds its slot's type only");
        return Unsafe.As<T>(value);
    }

    /// <summary>
    /// Bypasses the flow: from the next packet on the engine drops its packets early (local
    /// bypass), and the capture is asked to stop delivering it (capture bypass on success). A flow
    /// inside a tunnel goes to the capture with the tunnel the packet being inspected came in
    /// (<see cref="FlowTuple.Tunnel"/>); a capture that cannot match the flow leaves it bypassed
    /// locally (<c>flow_bypassed.capture_unsupported</c>).
    /// </summary>
    public void RequestBypass() =>
        _shard.RequestBypass(_slot, Unsafe.IsNullRef(in _packet) ? default : PacketContext.TunnelOf(in _packet));
}
