namespace Capture.Abstractions;

/// <summary>A capture could not be opened or went wrong; the message names the source and the cause.</summary>
public sealed class CaptureException : Exception
{
    /// <summary>Creates an exception.</summary>
    public CaptureException()
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong, naming the source.</param>
    public CaptureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong, naming the source.</param>
    /// <param name="innerException">The cause.</param>
    public CaptureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
