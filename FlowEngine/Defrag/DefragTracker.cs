namespace FlowEngine.Defrag;

/// <summary>One datagram being reassembled: its fragments in arrival order. Pooled and reused.</summary>
internal sealed class DefragTracker
{
    /// <summary>Fragments one datagram may have; beyond it the datagram counts <c>defrag.max_frags_reached</c>.</summary>
    public const int MaxFragments = 256;

    private DefragFragment[] _fragments = new DefragFragment[8];

    /// <summary>The datagram's key.</summary>
    public DefragKey Key { get; private set; }

    /// <summary>Time of the first fragment, ns; the tracker times out from here (as Suricata's does).</summary>
    public long FirstSeen { get; private set; }

    /// <summary>Stored fragments.</summary>
    public int Count { get; private set; }

    /// <summary>The last fragment (more-fragments clear) arrived.</summary>
    public bool SeenLast { get; set; }

    /// <summary>Datagram data length, known once <see cref="SeenLast"/>.</summary>
    public int TotalLength { get; set; }

    /// <summary>Memory charged against the memcap for this tracker and its fragments.</summary>
    public long MemoryCharged { get; set; }

    /// <summary>The stored fragments, in arrival order.</summary>
    public ReadOnlySpan<DefragFragment> Fragments => _fragments.AsSpan(0, Count);

    /// <summary>Starts tracking a datagram.</summary>
    public void Reset(DefragKey key, long now)
    {
        Key = key;
        FirstSeen = now;
        Count = 0;
        SeenLast = false;
        TotalLength = 0;
        MemoryCharged = 0;
    }

    /// <summary>Appends a fragment (the caller checked <see cref="MaxFragments"/>).</summary>
    public void Add(in DefragFragment fragment)
    {
        if (Count == _fragments.Length)
        {
            Array.Resize(ref _fragments, Math.Min(_fragments.Length * 2, MaxFragments));
        }

        _fragments[Count++] = fragment;
    }

    /// <summary>Gives the fragment added last the buffer holding its copy.</summary>
    public void HoldLast(byte[] buffer) => _fragments[Count - 1].Buffer = buffer;

    /// <summary>Forgets the fragments (their buffers must have been returned).</summary>
    public void Clear()
    {
        Array.Clear(_fragments, 0, Count);
        Count = 0;
    }
}
