namespace FlowEngine.Defrag;

/// <summary>
/// The defragmenter's own buffers for held fragments, by power-of-two size, reused without locks
/// (one defragmenter per worker). The shared ArrayPool keeps only a few arrays per size, so a burst
/// of held fragments would otherwise allocate in steady state. What it keeps is bounded by the
/// peak of fragments held, which the memcap bounds.
/// </summary>
internal sealed class FragmentBufferPool
{
    private const int SmallestShift = 6;   // 64 bytes
    private const int LargestShift = 17;   // 128 KiB: any IPv4 datagram with its header

    private readonly Stack<byte[]>[] _free = new Stack<byte[]>[LargestShift - SmallestShift + 1];

    public FragmentBufferPool()
    {
        for (int i = 0; i < _free.Length; i++)
        {
            _free[i] = new Stack<byte[]>();
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public byte[] Rent(int length)
    {
        int shift = Shift(length);
        if (shift > LargestShift)
        {
            return new byte[length];
        }

        Stack<byte[]> free = _free[shift - SmallestShift];
        return free.Count > 0 ? free.Pop() : new byte[1 << shift];
    }

    /// <summary>Takes a buffer back.</summary>
    public void Return(byte[] buffer)
    {
        int length = buffer.Length;
        if ((length & (length - 1)) != 0 || length < 1 << SmallestShift || length > 1 << LargestShift)
        {
            return;
        }

        _free[Shift(length) - SmallestShift].Push(buffer);
    }

    private static int Shift(int length) =>
        length <= 1 << SmallestShift ? SmallestShift : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));
}
