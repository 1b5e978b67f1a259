namespace Detect.Sample.Output;

/// <summary>What a log file write did, so that its writer logs a failure once and its end once.</summary>
internal enum WriteOutcome
{
    /// <summary>Nothing was written yet (the lines wait in the buffer).</summary>
    Buffered,

    /// <summary>The lines reached the file.</summary>
    Written,

    /// <summary>The lines were lost, the first loss since writing last worked.</summary>
    Failed,

    /// <summary>The lines were lost; an earlier write had failed too.</summary>
    StillFailing,

    /// <summary>The lines reached the file after earlier writes had failed.</summary>
    Resumed,
}
