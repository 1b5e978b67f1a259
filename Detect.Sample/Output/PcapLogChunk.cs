namespace Detect.Sample.Output;

/// <summary>
/// A buffer of packet records between one worker and the pcap-log writer thread. The worker appends
/// and publishes how far it wrote (<see cref="Commit"/>); the writer reads up to that. Once sealed,
/// the worker writes no more into it, and the writer gives it back when it has read all of it.
/// </summary>
internal sealed class PcapLogChunk
{
    /// <summary>Bytes per chunk: room for four of the largest packets (256 KiB) and their headers.</summary>
    public const int Size = 1 << 20;

    private int _committed;
    private int _sealed;

    public byte[] Bytes { get; } = new byte[Size];

    /// <summary>How many bytes hold whole records (read by the writer).</summary>
    public int Committed => Volatile.Read(ref _committed);

    /// <summary>Whether the worker has moved on to another chunk (read by the writer).</summary>
    public bool IsSealed => Volatile.Read(ref _sealed) != 0;

    /// <summary>Publishes the records written up to <paramref name="length"/> (worker).</summary>
    public void Commit(int length) => Volatile.Write(ref _committed, length);

    /// <summary>Marks the chunk full (worker), after its last <see cref="Commit"/>.</summary>
    public void Seal() => Volatile.Write(ref _sealed, 1);

    /// <summary>Empties a chunk the writer gave back, before the worker uses it again.</summary>
    public void Reset()
    {
        _committed = 0;
        _sealed = 0;
    }
}
