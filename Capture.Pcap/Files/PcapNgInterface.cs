namespace Capture.Pcap.Files;

/// <summary>One Interface Description Block of a pcapng section: link type and timestamp units.</summary>
internal sealed class PcapNgInterface
{
    private readonly long _multiplier;
    private readonly long _divisor;
    private readonly int _binaryShift;

    /// <summary>Describes an interface.</summary>
    /// <param name="linkType">Normalised link type.</param>
    /// <param name="snapLength">Snap length (0: none).</param>
    /// <param name="resolution">The <c>if_tsresol</c> byte (6 when absent).</param>
    /// <param name="offsetSeconds">The <c>if_tsoffset</c> option (0 when absent).</param>
    public PcapNgInterface(uint linkType, uint snapLength, byte resolution, long offsetSeconds)
    {
        LinkType = linkType;
        SnapLength = snapLength;
        OffsetNanoseconds = offsetSeconds * 1_000_000_000L;
        _binaryShift = -1;
        if ((resolution & 0x80) != 0)
        {
            _binaryShift = resolution & 0x7f;
        }
        else if (resolution <= 9)
        {
            _multiplier = Pow10(9 - resolution);
        }
        else
        {
            _divisor = Pow10(Math.Min(resolution - 9, 18));
        }
    }

    /// <summary>Normalised link type.</summary>
    public uint LinkType { get; }

    /// <summary>Snap length (0: none).</summary>
    public uint SnapLength { get; }

    /// <summary>Seconds to add to every timestamp, in nanoseconds.</summary>
    public long OffsetNanoseconds { get; }

    /// <summary>Converts a 64-bit timestamp in this interface's units to nanoseconds since the epoch.</summary>
    /// <param name="units">The timestamp.</param>
    /// <returns>Nanoseconds.</returns>
    public long ToNanoseconds(ulong units)
    {
        long value;
        if (_multiplier != 0)
        {
            value = unchecked((long)units * _multiplier);
        }
        else if (_binaryShift >= 0)
        {
            value = (long)((UInt128)units * 1_000_000_000UL >> _binaryShift);
        }
        else
        {
            value = (long)(units / (ulong)_divisor);
        }

        return value + OffsetNanoseconds;
    }

    private static long Pow10(int exponent)
    {
        long value = 1;
        for (int i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }
}
