using System.Net;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowEngine.Tests.Flows;

/// <summary>Hand-filled layers and shards for flow tests.</summary>
internal static class TestFlows
{
    public const byte Fin = TcpFlags.Fin;
    public const byte Syn = TcpFlags.Syn;
    public const byte Rst = TcpFlags.Rst;
    public const byte Ack = TcpFlags.Ack;
    public const long T0 = 1_700_000_000L * 1_000_000_000L;

    public static long At(double seconds) => T0 + (long)(seconds * 1_000_000_000d);

    public static FlowAddress Address(string text) => FlowAddress.FromBytes(IPAddress.Parse(text).GetAddressBytes());

    public static PacketLayer Tcp(string src, ushort sp, string dst, ushort dp, byte flags, int payload = 0) =>
        Layer(src, sp, dst, dp, 6, flags, payload);

    public static PacketLayer Udp(string src, ushort sp, string dst, ushort dp, int payload = 10) =>
        Layer(src, sp, dst, dp, 17, 0, payload);

    public static PacketLayer Layer(string src, ushort sp, string dst, ushort dp, byte protocol, byte flags = 0, int payload = 0)
    {
        bool v6 = src.Contains(':', StringComparison.Ordinal);
        return new PacketLayer
        {
            Source = Address(src),
            Destination = Address(dst),
            SourcePort = sp,
            DestinationPort = dp,
            Protocol = protocol,
            IsIPv6 = v6,
            TcpFlags = flags,
            Flags = PacketLayerFlags.HasFlowKey,
            IPLength = (v6 ? 40 : 20) + (protocol == 6 ? 20 : 8) + payload,
            PayloadLength = payload,
        };
    }

    /// <summary>The tuple of a packet as the capture sees it (sender first).</summary>
    public static FlowTuple TupleOf(in PacketLayer layer) =>
        new(layer.IsIPv6, layer.Source, layer.Destination, layer.SourcePort, layer.DestinationPort, layer.Protocol, layer.Vlan0, layer.Vlan1, layer.Vlan2, layer.TunnelDepth);

    public static FlowShard Shard(RecordingSink sink, IBypassStrategy? strategy = null, int capacity = 1024, FlowEngineOptions? options = null) =>
        new(options ?? new FlowEngineOptions(), capacity, storageColumns: 2, bypassColumn: 0, new FlowHasher(42), 0, "test0", strategy, sink, NullLogger.Instance);

    /// <summary>Tracks one packet; returns the slot.</summary>
    public static int Send(this FlowShard shard, PacketLayer layer, double seconds, int length = 100) =>
        shard.Track(in layer, At(seconds), length, 0, 0, 0, out _, out _);

    /// <summary>Tracks one packet; returns whether it was dropped (bypassed).</summary>
    public static bool SendDropped(this FlowShard shard, PacketLayer layer, double seconds, int length = 100)
    {
        shard.Track(in layer, At(seconds), length, 0, 0, 0, out _, out bool drop);
        return drop;
    }

    /// <summary>Delivers a packet through a capture that applies <paramref name="capture"/> first; returns true when the capture dropped it.</summary>
    public static bool Deliver(this FlowShard shard, InMemoryBypassStrategy capture, PacketLayer layer, double seconds, int length = 100)
    {
        if (capture.Filter(TupleOf(layer), length))
        {
            return true;
        }

        shard.Track(in layer, At(seconds), length, 0, 0, 0, out _, out _);
        return false;
    }
}
