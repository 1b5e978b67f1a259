using System.Buffers.Binary;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Stream;
using FlowEngine.Tests.Flows;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowEngine.Tests.Stream;

/// <summary>
/// A shard with a stream tracker and crafted TCP packets between a client (10.0.0.1:40000) and a
/// server (10.0.0.2:80): each packet goes through flow tracking and then the stream tracker, as the
/// worker sends it. The TCP header is written for real (window, options) and read back by the tracker.
/// </summary>
internal sealed class TcpConversation
{
    public const string Client = "10.0.0.1";
    public const string Server = "10.0.0.2";

    private double _seconds;

    public TcpConversation(TcpStreamOptions? stream = null)
    {
        var options = new FlowEngineOptions { Stream = stream ?? new TcpStreamOptions() };
        Shard = new FlowShard(options, 1024, storageColumns: 2, bypassColumn: 0, new FlowHasher(42), 0, "test0", null, Sink, NullLogger.Instance, streamColumn: 1, reusableColumns: [false, true]);
    }

    public RecordingSink Sink { get; } = new();

    public FlowShard Shard { get; }

    /// <summary>The slot of the last packet's flow.</summary>
    public int Slot { get; private set; }

    /// <summary>The events the last packet raised.</summary>
    public StreamEvent[] Events => Shard.Stream.PacketEvents.ToArray();

    /// <summary>Whether the last packet is to be dropped inline.</summary>
    public bool Dropped => Shard.Stream.PacketDropped;

    /// <summary>The session of the last packet's flow.</summary>
    public TcpSession? Session => Shard.Stream.SessionAt(Slot);

    public TcpState State => Session?.State ?? TcpState.None;

    /// <summary>Client → server.</summary>
    public TcpConversation ToServer(byte flags, uint seq, uint ack, int payload = 0, ushort window = 1024, uint? tsVal = null, uint tsEcr = 0, byte? windowScale = null, bool sackPermitted = false) =>
        Send(Client, 40000, Server, 80, flags, seq, ack, payload, window, tsVal, tsEcr, windowScale, sackPermitted);

    /// <summary>Server → client.</summary>
    public TcpConversation ToClient(byte flags, uint seq, uint ack, int payload = 0, ushort window = 1024, uint? tsVal = null, uint tsEcr = 0, byte? windowScale = null, bool sackPermitted = false) =>
        Send(Server, 80, Client, 40000, flags, seq, ack, payload, window, tsVal, tsEcr, windowScale, sackPermitted);

    /// <summary>The three-way handshake: client ISN 1000, server ISN 5000, optionally with timestamps.</summary>
    public TcpConversation Handshake(bool timestamps = false)
    {
        ToServer(TestFlows.Syn, 1000, 0, tsVal: timestamps ? 100 : null);
        ToClient(TestFlows.Syn | TestFlows.Ack, 5000, 1001, tsVal: timestamps ? 200 : null, tsEcr: 100);
        return ToServer(TestFlows.Ack, 1001, 5001, tsVal: timestamps ? 101 : null, tsEcr: 200);
    }

    private TcpConversation Send(string src, ushort sp, string dst, ushort dp, byte flags, uint seq, uint ack, int payload, ushort window, uint? tsVal, uint tsEcr, byte? windowScale, bool sackPermitted)
    {
        byte[] header = Header(flags, window, tsVal, tsEcr, windowScale, sackPermitted);
        byte[] bytes = new byte[header.Length + payload];
        header.CopyTo(bytes, 0);
        PacketLayer layer = TestFlows.Tcp(src, sp, dst, dp, flags, payload);
        layer.TcpSequence = seq;
        layer.TcpAcknowledgement = ack;
        layer.TransportOffset = 0;
        layer.PayloadOffset = header.Length;
        _seconds += 0.001;
        long timestamp = TestFlows.At(_seconds);
        Slot = Shard.Track(in layer, timestamp, 60 + payload, 0, 0, 0, out bool toServer, out _);
        Shard.Stream.Track(Slot, toServer, in layer, bytes, timestamp);
        return this;
    }

    private static byte[] Header(byte flags, ushort window, uint? tsVal, uint tsEcr, byte? windowScale, bool sackPermitted)
    {
        var options = new List<byte>();
        if (tsVal is uint value)
        {
            byte[] timestamp = [1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(timestamp.AsSpan(4), value);
            BinaryPrimitives.WriteUInt32BigEndian(timestamp.AsSpan(8), tsEcr);
            options.AddRange(timestamp);
        }

        if (windowScale is byte shift)
        {
            options.AddRange([1, 3, 3, shift]);
        }

        if (sackPermitted)
        {
            options.AddRange([1, 1, 4, 2]);
        }

        byte[] header = new byte[20 + options.Count];
        header[12] = (byte)((header.Length / 4) << 4);
        header[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), window);
        options.CopyTo(header, 20);
        return header;
    }
}
