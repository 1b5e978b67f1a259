using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FlowEngine.Decode;

namespace FlowEngine.Stream;

/// <summary>
/// The TCP header facts of one packet the stream tracker reads: sequence numbers, flags, window and
/// the options that matter to it (timestamps, window scale, SACK, Fast Open), read the way Suricata's
/// TCP decoder records them (an option of the wrong length is ignored; a window scale above 14 counts as 0).
/// </summary>
internal readonly ref struct TcpSegment
{
    private const int MaxWindowScale = 14;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // Called, its fields went through the stack and back: a store-forwarding stall per TCP packet.
    public TcpSegment(uint seq, uint ack, byte flags, ushort window, int payloadLength, uint seconds)
    {
        Seq = seq;
        Ack = ack;
        Flags = flags;
        Window = window;
        PayloadLength = (uint)payloadLength;
        Seconds = seconds;
    }

    public uint Seq { get; }

    public uint Ack { get; }

    public byte Flags { get; }

    /// <summary>The raw (unscaled) window.</summary>
    public ushort Window { get; }

    public uint PayloadLength { get; }

    /// <summary>Capture time, whole seconds (what Suricata keeps as a stream's last packet time).</summary>
    public uint Seconds { get; }

    public bool HasTimestamp { get; init; }

    public uint TsVal { get; init; }

    public uint TsEcr { get; init; }

    public bool HasWindowScale { get; init; }

    /// <summary>The window scale option's shift; 0 when above 14.</summary>
    public byte WindowScale { get; init; }

    public bool SackPermitted { get; init; }

    public bool HasSack { get; init; }

    public bool HasFastOpen { get; init; }

    public bool IsSyn => (Flags & TcpFlags.Syn) != 0;

    public bool IsAck => (Flags & TcpFlags.Ack) != 0;

    public bool IsRst => (Flags & TcpFlags.Rst) != 0;

    public bool IsFin => (Flags & TcpFlags.Fin) != 0;

    /// <summary>SYN and ACK both set.</summary>
    public bool IsSynAck => (Flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack);

    /// <summary>Reads the TCP header of <paramref name="layer"/> from <paramref name="bytes"/>; false when it is not there whole.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, in PacketLayer layer, long timestampNanoseconds, out TcpSegment segment)
    {
        int at = layer.TransportOffset;
        if (at < 0 || (long)at + 20 > bytes.Length)
        {
            segment = default;
            return false;
        }

        ReadOnlySpan<byte> header = bytes[at..];
        int headerLength = (header[12] >> 4) * 4;
        ushort window = BinaryPrimitives.ReadUInt16BigEndian(header[14..]);
        uint seconds = (uint)(timestampNanoseconds / 1_000_000_000L);
        if (headerLength <= 20 || headerLength > header.Length)
        {
            segment = new TcpSegment(layer.TcpSequence, layer.TcpAcknowledgement, layer.TcpFlags, window, layer.PayloadLength, seconds);
            return true;
        }

        ReadOnlySpan<byte> options = header[20..headerLength];
        bool hasTimestamp = false, hasWindowScale = false, sackPermitted = false, hasSack = false, fastOpen = false;
        uint tsVal = 0, tsEcr = 0;
        byte windowScale = 0;
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == 0)
            {
                break;
            }

            if (kind == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length)
            {
                break;
            }

            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                break;
            }

            ReadOnlySpan<byte> option = options.Slice(i, length);
            switch (kind)
            {
                case 8 when length == 10 && !hasTimestamp:
                    hasTimestamp = true;
                    tsVal = BinaryPrimitives.ReadUInt32BigEndian(option[2..]);
                    tsEcr = BinaryPrimitives.ReadUInt32BigEndian(option[6..]);
                    break;
                case 3 when length == 3 && !hasWindowScale:
                    hasWindowScale = true;
                    windowScale = option[2] <= MaxWindowScale ? option[2] : (byte)0;
                    break;
                case 4 when length == 2:
                    sackPermitted = true;
                    break;
                case 5 when length >= 10 && (length - 2) % 8 == 0:
                    hasSack = true;
                    break;
                case 34 when length is >= 2 and <= 18:
                    fastOpen = true;
                    break;
                case 254 when length >= 4 && option[2] == 0xF9 && option[3] == 0x89:
                    fastOpen = true;
                    break;
            }

            i += length;
        }

        segment = new TcpSegment(layer.TcpSequence, layer.TcpAcknowledgement, layer.TcpFlags, window, layer.PayloadLength, seconds)
        {
            HasTimestamp = hasTimestamp,
            TsVal = tsVal,
            TsEcr = tsEcr,
            HasWindowScale = hasWindowScale,
            WindowScale = windowScale,
            SackPermitted = sackPermitted,
            HasSack = hasSack,
            HasFastOpen = fastOpen,
        };
        return true;
    }
}
