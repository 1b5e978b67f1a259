using FlowEngine.Configuration;
using FlowEngine.Decode;

namespace FlowEngine.Defrag;

/// <summary>
/// IPv4 and IPv6 reassembly for one worker, within a memory cap, a tracker limit, a fragment limit
/// and a timeout (<c>defrag:</c>).
/// <para>
/// Overlap policy: <b>BSD</b> (Suricata's default): where fragments overlap, the data of the one
/// that arrived first wins, unless the later fragment starts before it — then the later one wins.
/// Equivalently: a fragment's bytes are written except those already held by an earlier fragment
/// that starts at or before it. The first fragment with offset 0 supplies the IP header.
/// </para>
/// </summary>
internal sealed class Defragmenter
{
    private const int MaxIPPacket = 65535;

    // Charged per tracker against the memcap, besides the fragment buffers.
    private const int TrackerCost = 256;

    private readonly DefragOptions _options;
    private readonly long[] _c;
    private readonly long _timeoutNanoseconds;
    private readonly Dictionary<DefragKey, DefragTracker> _trackers = new();
    private readonly Stack<DefragTracker> _spare = new();
    private readonly List<DefragKey> _expired = new();
    private readonly FragmentBufferPool _buffers = new();
    private byte[] _output = [];
    private long _memoryInUse;
    private int _fragmentsHeld;

    /// <summary>Creates a worker's defragmenter counting into <paramref name="counters"/> (give the decoder the same instance).</summary>
    /// <param name="options">The <c>defrag:</c> settings.</param>
    /// <param name="counters">The worker's decoder counters.</param>
    public Defragmenter(DefragOptions options, DecoderCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(counters);
        if (options.Timeout <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "defrag.timeout must be a positive number of seconds");
        }

        if (options.Memcap <= 0 || options.Trackers <= 0 || options.MaxFragments <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "defrag.memcap, defrag.trackers and defrag.max-frags must be positive");
        }

        _options = options;
        _c = counters.Values;
        _timeoutNanoseconds = options.Timeout * 1_000_000_000L;
    }

    /// <summary>Whether reassembly is on (<c>defrag.enabled</c>).</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Datagrams being reassembled.</summary>
    public int TrackerCount => _trackers.Count;

    /// <summary>Fragments held.</summary>
    public int FragmentsHeld => _fragmentsHeld;

    /// <summary>Bytes charged against the memcap.</summary>
    public long MemoryInUse => _memoryInUse;

    /// <summary>Drops datagrams whose first fragment is older than the timeout (<c>defrag.timeouts</c>).</summary>
    /// <param name="nowNanoseconds">Current (capture) time, ns since the epoch.</param>
    public void Expire(long nowNanoseconds)
    {
        if (_trackers.Count == 0)
        {
            return;
        }

        foreach (KeyValuePair<DefragKey, DefragTracker> entry in _trackers)
        {
            if (nowNanoseconds - entry.Value.FirstSeen > _timeoutNanoseconds)
            {
                _expired.Add(entry.Key);
            }
        }

        foreach (DefragKey key in _expired)
        {
            if (_trackers.Remove(key, out DefragTracker? tracker))
            {
                _c[(int)DecoderCounter.DefragTimeouts]++;
                Release(tracker);
            }
        }

        _expired.Clear();
    }

    /// <summary>Takes an IPv4 fragment whose header starts at <paramref name="networkOffset"/>.</summary>
    /// <returns>Held, Rejected, or Reassembled with <paramref name="packet"/> = the frame's bytes before the IP header, then the datagram.</returns>
    public DefragOutcome InsertIPv4(ReadOnlySpan<byte> frame, int networkOffset, int headerLength, int end, in PacketLayer layer, long now, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        _c[(int)DecoderCounter.DefragIPv4Fragments]++;
        int offsetAndFlags = PacketDecoder.U16(frame, networkOffset + 6);
        int fragmentOffset = (offsetAndFlags & 0x1FFF) << 3;
        bool more = (offsetAndFlags & 0x2000) != 0;
        int length = end - networkOffset - headerLength;
        if (length <= 0 && more)
        {
            _c[(int)DecoderCounter.IPv4FragIgnored]++;
            return DefragOutcome.Rejected;
        }

        if (headerLength + fragmentOffset + length > MaxIPPacket)
        {
            _c[(int)DecoderCounter.IPv4FragPktTooLarge]++;
            return DefragOutcome.Rejected;
        }

        var key = new DefragKey(layer.Source, layer.Destination, PacketDecoder.U16(frame, networkOffset + 4), layer.Protocol, false, layer.TunnelDepth, layer.Vlan0, layer.Vlan1, layer.Vlan2);
        return Insert(key, frame, networkOffset, headerLength, -1, end, fragmentOffset, more, now, out packet);
    }

    /// <summary>Takes an IPv6 fragment: IPv6 header at <paramref name="networkOffset"/>, fragment header at <paramref name="fragmentHeaderOffset"/>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="networkOffset">IPv6 header offset.</param>
    /// <param name="fragmentHeaderOffset">Fragment header offset.</param>
    /// <param name="nextHeaderField">Offset of the next-header byte that names the fragment header.</param>
    /// <param name="end">End of the IPv6 packet.</param>
    /// <param name="layer">The layer (addresses, VLANs).</param>
    /// <param name="now">Capture time, ns.</param>
    /// <param name="packet">The reassembled packet when complete.</param>
    /// <returns>What happened.</returns>
    public DefragOutcome InsertIPv6(ReadOnlySpan<byte> frame, int networkOffset, int fragmentHeaderOffset, int nextHeaderField, int end, in PacketLayer layer, long now, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        _c[(int)DecoderCounter.DefragIPv6Fragments]++;
        int offsetAndFlags = PacketDecoder.U16(frame, fragmentHeaderOffset + 2);
        int fragmentOffset = offsetAndFlags & 0xFFF8;
        bool more = (offsetAndFlags & 1) != 0;
        int headerLength = fragmentHeaderOffset + 8 - networkOffset;
        int length = end - networkOffset - headerLength;
        if (length <= 0 || (more && (length & 7) != 0))
        {
            // Every fragment but the last carries a multiple of 8 bytes (RFC 8200).
            _c[(int)DecoderCounter.IPv6FragInvalidLength]++;
            return DefragOutcome.Rejected;
        }

        if (headerLength - 48 + fragmentOffset + length > MaxIPPacket)
        {
            _c[(int)DecoderCounter.IPv6FragPktTooLarge]++;
            return DefragOutcome.Rejected;
        }

        var key = new DefragKey(layer.Source, layer.Destination, PacketDecoder.U32(frame, fragmentHeaderOffset + 4), 0, true, layer.TunnelDepth, layer.Vlan0, layer.Vlan1, layer.Vlan2);
        return Insert(key, frame, networkOffset, headerLength, nextHeaderField - networkOffset, end, fragmentOffset, more, now, out packet);
    }

    private DefragOutcome Insert(DefragKey key, ReadOnlySpan<byte> frame, int networkOffset, int headerLength, int nextHeaderField, int end, int fragmentOffset, bool more, long now, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        bool isIPv6 = key.IsIPv6;
        if (_trackers.TryGetValue(key, out DefragTracker? tracker) && now - tracker.FirstSeen > _timeoutNanoseconds)
        {
            // A stale datagram with a reused id: time it out now rather than mix old and new data.
            _trackers.Remove(key);
            _c[(int)DecoderCounter.DefragTimeouts]++;
            Release(tracker);
            tracker = null;
        }

        if (tracker is null)
        {
            if (_trackers.Count >= _options.Trackers)
            {
                _c[(int)DecoderCounter.DefragMaxTrackersReached]++;
                return Ignored(isIPv6);
            }

            if (_memoryInUse + TrackerCost > _options.Memcap)
            {
                _c[(int)DecoderCounter.DefragMemcapReached]++;
                return Ignored(isIPv6);
            }

            tracker = _spare.Count > 0 ? _spare.Pop() : new DefragTracker();
            tracker.Reset(key, now);
            tracker.MemoryCharged = TrackerCost;
            _memoryInUse += TrackerCost;
            _trackers.Add(key, tracker);
        }

        if (_fragmentsHeld >= _options.MaxFragments || tracker.Count >= DefragTracker.MaxFragments)
        {
            _c[(int)DecoderCounter.DefragMaxFragsReached]++;
            return Ignored(tracker, isIPv6);
        }

        int bytes = end - networkOffset;
        if (_memoryInUse + bytes > _options.Memcap)
        {
            _c[(int)DecoderCounter.DefragMemcapReached]++;
            return Ignored(tracker, isIPv6);
        }

        int length = bytes - headerLength;
        int fragmentEnd = fragmentOffset + length;
        foreach (ref readonly DefragFragment held in tracker.Fragments)
        {
            if (fragmentOffset < held.End && held.Offset < fragmentEnd)
            {
                _c[(int)(isIPv6 ? DecoderCounter.IPv6FragOverlap : DecoderCounter.IPv4FragOverlap)]++;
                break;
            }
        }

        if (!more)
        {
            if (tracker.SeenLast && tracker.TotalLength != fragmentEnd)
            {
                // A second, different last fragment: the first one stands (BSD keeps what came first).
                _c[(int)(isIPv6 ? DecoderCounter.IPv6FragOverlap : DecoderCounter.IPv4FragOverlap)]++;
            }
            else
            {
                tracker.SeenLast = true;
                tracker.TotalLength = fragmentEnd;
            }
        }

        // Added without a copy first: the fragment that completes a datagram (usually its last)
        // is read from the frame by the reassembly, and only one that is held gets copied.
        tracker.Add(new DefragFragment
        {
            Buffer = null,
            HeaderLength = headerLength,
            NextHeaderField = nextHeaderField,
            Offset = fragmentOffset,
            Length = length,
            More = more,
        });
        _fragmentsHeld++;
        if (!tracker.SeenLast || !IsComplete(tracker))
        {
            byte[] buffer = _buffers.Rent(bytes);
            frame.Slice(networkOffset, bytes).CopyTo(buffer);
            tracker.HoldLast(buffer);
            tracker.MemoryCharged += buffer.Length;
            _memoryInUse += buffer.Length;
            return DefragOutcome.Held;
        }

        _trackers.Remove(key);
        bool built = Reassemble(tracker, frame, networkOffset, out packet);
        Release(tracker);
        if (!built)
        {
            _c[(int)(isIPv6 ? DecoderCounter.IPv6FragPktTooLarge : DecoderCounter.IPv4FragPktTooLarge)]++;
            return DefragOutcome.Rejected;
        }

        _c[(int)(isIPv6 ? DecoderCounter.DefragIPv6Reassembled : DecoderCounter.DefragIPv4Reassembled)]++;
        return DefragOutcome.Reassembled;
    }

    private DefragOutcome Ignored(DefragTracker tracker, bool isIPv6)
    {
        if (tracker.Count == 0)
        {
            // Created for this fragment only: do not keep an empty tracker charged until it times out.
            _trackers.Remove(tracker.Key);
            Release(tracker);
        }

        return Ignored(isIPv6);
    }

    private DefragOutcome Ignored(bool isIPv6)
    {
        _c[(int)(isIPv6 ? DecoderCounter.IPv6FragIgnored : DecoderCounter.IPv4FragIgnored)]++;
        return DefragOutcome.Rejected;
    }

    /// <summary>Whether the fragments cover 0 .. TotalLength without a hole.</summary>
    private static bool IsComplete(DefragTracker tracker)
    {
        ReadOnlySpan<DefragFragment> fragments = tracker.Fragments;
        int covered = 0;
        bool progressed = true;
        while (covered < tracker.TotalLength && progressed)
        {
            progressed = false;
            foreach (ref readonly DefragFragment fragment in fragments)
            {
                if (fragment.Offset <= covered && fragment.End > covered)
                {
                    covered = fragment.End;
                    progressed = true;
                }
            }
        }

        return covered >= tracker.TotalLength;
    }

    private bool Reassemble(DefragTracker tracker, ReadOnlySpan<byte> frame, int networkOffset, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        ReadOnlySpan<DefragFragment> fragments = tracker.Fragments;
        int first = -1;
        for (int i = 0; i < fragments.Length; i++)
        {
            if (fragments[i].Offset == 0)
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return false;
        }

        bool isIPv6 = tracker.Key.IsIPv6;
        ref readonly DefragFragment head = ref fragments[first];
        ReadOnlySpan<byte> headBytes = head.Bytes(frame, networkOffset);

        // IPv6 drops the fragment header: the unfragmentable part is what precedes it.
        int header = isIPv6 ? head.HeaderLength - 8 : head.HeaderLength;
        int total = tracker.TotalLength;
        int ipLength = header + total;
        if ((isIPv6 ? ipLength - 40 : ipLength) > MaxIPPacket)
        {
            return false;
        }

        int size = networkOffset + ipLength;
        if (_output.Length < size)
        {
            _output = new byte[Math.Max(size, 128 * 1024)];
        }

        Span<byte> output = _output.AsSpan(0, size);
        frame[..networkOffset].CopyTo(output);
        Span<byte> ip = output[networkOffset..];
        headBytes[..header].CopyTo(ip);
        Span<byte> data = ip[header..];

        // BSD policy: fragment i keeps out of the bytes held by any earlier fragment starting at or
        // before it; that union, from i's start, is one range ending at the furthest such end.
        for (int i = 0; i < fragments.Length; i++)
        {
            ref readonly DefragFragment fragment = ref fragments[i];
            int protectedEnd = 0;
            for (int j = 0; j < i; j++)
            {
                if (fragments[j].Offset <= fragment.Offset && fragments[j].End > protectedEnd)
                {
                    protectedEnd = fragments[j].End;
                }
            }

            int from = Math.Max(fragment.Offset, protectedEnd);
            int to = Math.Min(fragment.End, total);
            if (to > from)
            {
                fragment.Bytes(frame, networkOffset).Slice(fragment.HeaderLength + (from - fragment.Offset), to - from).CopyTo(data[from..]);
            }
        }

        if (isIPv6)
        {
            int payloadLength = ipLength - 40;
            ip[4] = (byte)(payloadLength >> 8);
            ip[5] = (byte)payloadLength;
            ip[head.NextHeaderField] = headBytes[head.HeaderLength - 8];
        }
        else
        {
            ip[2] = (byte)(ipLength >> 8);
            ip[3] = (byte)ipLength;
            ip[6] &= 0x40; // keep don't-fragment, clear more-fragments and the offset
            ip[7] = 0;
            ip[10] = 0;
            ip[11] = 0;
            ushort checksum = IPv4HeaderChecksum(ip[..header]);
            ip[10] = (byte)(checksum >> 8);
            ip[11] = (byte)checksum;
        }

        packet = output;
        return true;
    }

    private static ushort IPv4HeaderChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2)
        {
            sum += (uint)(header[i] << 8 | header[i + 1]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private void Release(DefragTracker tracker)
    {
        foreach (ref readonly DefragFragment fragment in tracker.Fragments)
        {
            if (fragment.Buffer is not null)
            {
                _buffers.Return(fragment.Buffer);
            }
        }

        _fragmentsHeld -= tracker.Count;
        _memoryInUse -= tracker.MemoryCharged;
        tracker.Clear();
        _spare.Push(tracker);
    }
}
