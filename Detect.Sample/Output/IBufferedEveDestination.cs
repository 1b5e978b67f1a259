namespace Detect.Sample.Output;

/// <summary>
/// A destination that sends from a bounded buffer of its own (Redis): its delivery counters, for
/// the stats event. Kept apart from its implementation so that a run without such an output never
/// loads the client library.
/// </summary>
internal interface IBufferedEveDestination : IEveDestination
{
    /// <summary>Lines the server confirmed.</summary>
    long Delivered { get; }

    /// <summary>Lines dropped because the buffer was full.</summary>
    long Dropped { get; }

    /// <summary>Lines still in the buffer at the end, not delivered within the shutdown timeout.</summary>
    long Undelivered { get; }

    /// <summary>Lines waiting now.</summary>
    long Buffered { get; }
}
