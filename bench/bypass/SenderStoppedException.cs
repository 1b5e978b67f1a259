namespace Capture.Bypass.Bench;

/// <summary>
/// fastsender stopped before sending everything: the veth refused a frame (its XDP ring of 256
/// frames was full, sendmmsg: ENOBUFS). The run measures nothing and is done again.
/// </summary>
internal sealed class SenderStoppedException : Exception
{
    public SenderStoppedException()
    {
    }

    public SenderStoppedException(string message)
        : base(message)
    {
    }

    public SenderStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
