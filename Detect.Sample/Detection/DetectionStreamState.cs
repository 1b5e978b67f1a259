namespace Detect.Sample.Detection;

/// <summary>
/// What detection keeps of a flow's TCP stream beyond its packets, per direction: the tail a content
/// split between segments is found in, and an HTTP head being joined. Few flows need any of it, so
/// it is allocated apart from <see cref="DetectionFlowState"/>, on first need.
/// </summary>
internal sealed class DetectionStreamState
{
    /// <summary>The last bytes of the client's stream, once a payload ended in bytes a stream content begins with.</summary>
    public RawStreamTail? TailToServer { get; set; }

    /// <summary>The last bytes of the server's stream.</summary>
    public RawStreamTail? TailToClient { get; set; }

    /// <summary>An HTTP request head being joined over the client's segments (its request line did not end in the first).</summary>
    public SplitHttpHead? SplitHeadToServer { get; set; }

    /// <summary>An HTTP response head being joined over the server's segments.</summary>
    public SplitHttpHead? SplitHeadToClient { get; set; }

    /// <summary>A direction's tail, if it has one.</summary>
    public RawStreamTail? TailOf(bool toServer) => toServer ? TailToServer : TailToClient;

    /// <summary>A direction's split HTTP head, if it has one.</summary>
    public SplitHttpHead? SplitHeadOf(bool toServer) => toServer ? SplitHeadToServer : SplitHeadToClient;

    /// <summary>Gives a direction a tail of <paramref name="capacity"/> bytes.</summary>
    public RawStreamTail AddTail(bool toServer, int capacity)
    {
        var tail = new RawStreamTail(capacity);
        _ = toServer ? TailToServer = tail : TailToClient = tail;
        return tail;
    }

    /// <summary>Gives a direction a split HTTP head.</summary>
    public SplitHttpHead AddSplitHead(bool toServer)
    {
        var head = new SplitHttpHead();
        _ = toServer ? SplitHeadToServer = head : SplitHeadToClient = head;
        return head;
    }
}
