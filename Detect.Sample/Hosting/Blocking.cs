namespace Detect.Sample.Hosting;

/// <summary>
/// Waits for an asynchronous operation on the host's own path, which is synchronous (see
/// <see cref="DetectProgram"/>); the main thread has nothing else to do meanwhile.
/// </summary>
internal static class Blocking
{
    /// <summary>Waits for <paramref name="task"/>; a value task done already (the usual case) costs nothing more.</summary>
    public static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}
