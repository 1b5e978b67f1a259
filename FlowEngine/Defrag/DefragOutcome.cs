namespace FlowEngine.Defrag;

/// <summary>What the defragmenter did with a fragment.</summary>
internal enum DefragOutcome : byte
{
    /// <summary>Not stored (limits, a bad fragment): the decoder passes it on as an unreassembled fragment.</summary>
    Rejected,

    /// <summary>Stored; the datagram is not complete yet.</summary>
    Held,

    /// <summary>The fragment completed its datagram; the reassembled packet is returned.</summary>
    Reassembled,
}
