namespace Capture.Pcap.Files;

/// <summary>
/// A buffer a capture file is read into, which batches may refer to instead of copying packets out
/// of it. While any batch holds it, the file's input reads on into another chunk and leaves its
/// bytes alone; a chunk no batch holds any more is read into again.
/// </summary>
internal sealed class ReadChunk
{
    // Batches holding the chunk: taken on the reader thread, given back wherever a batch is released.
    private int _holds;

    public ReadChunk(int length)
    {
        Bytes = GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>The bytes read.</summary>
    public byte[] Bytes { get; }

    /// <summary>Whether some batch still refers to the bytes.</summary>
    public bool IsHeld => Volatile.Read(ref _holds) != 0;

    /// <summary>A batch refers to the bytes from now on (reader thread).</summary>
    public void Hold() => Interlocked.Increment(ref _holds);

    /// <summary>A batch no longer refers to the bytes (the fence orders its reads before the next read into them).</summary>
    public void LetGo()
    {
        int left = Interlocked.Decrement(ref _holds);
        if (left < 0)
        {
            throw new InvalidOperationException("a read chunk was let go more often than held");
        }
    }
}
