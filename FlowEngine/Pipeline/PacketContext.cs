using System.Runtime.CompilerServices;
using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Storage;
using FlowEngine.Stream;

namespace FlowEngine.Pipeline;

/// <summary>
/// One packet as detection sees it: the decoded layers, the bytes, the direction within its flow
/// and the flow itself. Valid during <see cref="IPacketInspector.Inspect"/> only.
/// </summary>
public ref struct PacketContext
{
    private readonly ref readonly DecodedPacket _packet;
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly FlowShard _shard;
    private readonly int _slot;

    internal PacketContext(ref readonly DecodedPacket packet, ReadOnlySpan<byte> bytes, FlowShard shard, int slot, bool toServer)
    {
        _packet = ref packet;
        _bytes = bytes;
        _shard = shard;
        _slot = slot;
        ToServer = toServer;
    }

    /// <summary>The decoded packet; <see cref="DecodedPacket.Innermost"/> is the layer the flow belongs to.</summary>
    public readonly ref readonly DecodedPacket Packet => ref _packet;

    /// <summary>The packet's bytes (the layers' offsets are relative to these).</summary>
    public readonly ReadOnlySpan<byte> PacketBytes => _bytes;

    /// <summary>The innermost layer's transport payload (application bytes); empty when there is none.</summary>
    public readonly ReadOnlySpan<byte> Payload
    {
        get
        {
            ref readonly PacketLayer layer = ref _packet.Layers[_packet.LayerCount == 0 ? 0 : _packet.LayerCount - 1];
            int offset = layer.PayloadOffset;
            int length = layer.PayloadLength;
            return offset >= 0 && length > 0 && (long)offset + length <= _bytes.Length ? _bytes.Slice(offset, length) : [];
        }
    }

    /// <summary>Whether the packet goes client → server in its flow.</summary>
    public bool ToServer { get; }

    /// <summary>Capture time of the packet, nanoseconds since the Unix epoch.</summary>
    public readonly long TimestampNanoseconds => _packet.Record.TimestampNanoseconds;

    /// <summary>The capture interface the packet came from.</summary>
    public readonly string InterfaceName => _shard.InterfaceName;

    /// <summary>The TCP stream events the packet raised (Suricata's <c>stream-event</c> names, <see cref="StreamEvents"/>); empty for other packets.</summary>
    public readonly ReadOnlySpan<StreamEvent> StreamEvents => _shard.Stream.PacketEvents;

    /// <summary>
    /// Whether the stream tracker rejected the packet with <c>stream.inline</c> and
    /// <c>stream.drop-invalid</c> on: inline, it is dropped (Suricata's drop reason "stream error").
    /// Detection still sees it, as Suricata's does, so rules can match its stream events.
    /// </summary>
    public readonly bool StreamDropped => _shard.Stream.PacketDropped;

    /// <summary>The state of the flow's TCP session (<see cref="TcpState.None"/> for other flows and TCP flows without one).</summary>
    public readonly TcpState TcpState => _shard.Stream.SessionAt(_slot)?.State ?? TcpState.None;

    /// <summary>The packet's flow (the innermost layer's).</summary>
    public readonly FlowView Flow => new(_shard, _slot, in _packet);

    /// <summary>Reads a storage slot of the packet's flow.</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A registered slot.</param>
    /// <returns>The value or null.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // See FlowView.GetStorage.
    public readonly T? GetStorage<T>(FlowStorageSlot<T> slot)
        where T : class => Flow.GetStorage(slot);

    /// <summary>Writes a storage slot of the packet's flow.</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A registered slot.</param>
    /// <param name="value">The value or null.</param>
    public readonly void SetStorage<T>(FlowStorageSlot<T> slot, T? value)
        where T : class => Flow.SetStorage(slot, value);

    /// <summary>A reset value an ended flow left, to store for the packet's flow (see <see cref="FlowView.TakeReusable{T}"/>).</summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="slot">A registered slot.</param>
    /// <returns>The value, not stored yet, or null.</returns>
    public readonly T? TakeReusable<T>(FlowStorageSlot<T> slot)
        where T : class => Flow.TakeReusable(slot);

    /// <summary>
    /// Bypasses the packet's flow (see <see cref="FlowView.RequestBypass"/>); a flow inside a
    /// tunnel goes to the capture with the tunnel this packet came in (<see cref="FlowTuple.Tunnel"/>).
    /// </summary>
    public readonly void RequestBypass() => Flow.RequestBypass();

    /// <summary>The tunnel around the packet's innermost layer, from the layer that carries it; default on the wire.</summary>
    internal static FlowTunnel TunnelOf(ref readonly DecodedPacket packet)
    {
        int inner = packet.LayerCount - 1;
        if (inner < 1)
        {
            return default;
        }

        ref readonly PacketLayer layer = ref packet.Layers[inner];
        ref readonly PacketLayer outer = ref packet.Layers[inner - 1];
        return new FlowTunnel(layer.TunnelKind, layer.TunnelId, outer.IsIPv6, outer.Source, outer.Destination);
    }
}
