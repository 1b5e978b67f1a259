namespace Capture.Pcap.Bypass;

/// <summary>
/// Packets and bytes the software filter dropped for one direction of a bypassed flow, and when
/// it last did. The reader thread counts, the flow manager reads and closes: a small lock keeps a
/// packet from being dropped after its entry's final counters were taken (it is delivered instead).
/// </summary>
internal sealed class SoftwareHalfFlowCounters
{
    private readonly Lock _gate = new();
    private readonly long _activeFrom;
    private long _packets;
    private long _bytes;
    private long _lastSeenNanoseconds;
    private bool _closed;

    /// <summary>Creates an entry that drops packets from batch <paramref name="activeFrom"/> on.</summary>
    /// <param name="activeFrom">The reader's first batch the entry applies to (0: every batch).</param>
    public SoftwareHalfFlowCounters(long activeFrom = 0) => _activeFrom = activeFrom;

    /// <summary>The reader's first batch the entry applies to.</summary>
    public long ActiveFrom => _activeFrom;

    /// <summary>Counts a dropped packet, unless the entry was closed or does not apply to the batch yet.</summary>
    /// <param name="bytes">The packet's length on the wire.</param>
    /// <param name="timestampNanoseconds">Its capture time.</param>
    /// <param name="batch">The sequence of the batch the reader would put the packet in.</param>
    /// <returns>True when counted (drop the packet); false otherwise (deliver it).</returns>
    public bool TryCount(int bytes, long timestampNanoseconds, long batch)
    {
        if (batch < _activeFrom)
        {
            return false;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _packets++;
            _bytes += bytes;
            _lastSeenNanoseconds = Math.Max(_lastSeenNanoseconds, timestampNanoseconds);
            return true;
        }
    }

    /// <summary>The totals so far.</summary>
    /// <param name="packets">Packets dropped.</param>
    /// <param name="bytes">Bytes dropped.</param>
    /// <param name="lastSeenNanoseconds">Capture time of the last one (0 when none).</param>
    public void Read(out long packets, out long bytes, out long lastSeenNanoseconds)
    {
        lock (_gate)
        {
            packets = _packets;
            bytes = _bytes;
            lastSeenNanoseconds = _lastSeenNanoseconds;
        }
    }

    /// <summary>Stops counting and returns the final totals.</summary>
    /// <param name="packets">Packets dropped.</param>
    /// <param name="bytes">Bytes dropped.</param>
    public void Close(out long packets, out long bytes)
    {
        lock (_gate)
        {
            _closed = true;
            packets = _packets;
            bytes = _bytes;
        }
    }
}
