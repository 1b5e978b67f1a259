namespace Capture.Linux.Xdp;

/// <summary>
/// The kernel or libbpf refused an operation. The message names the interface or object and
/// the errno text; <see cref="LibbpfMessages"/> holds what libbpf logged just before (verifier
/// output, map creation errors, ...).
/// </summary>
public sealed class BpfException : Exception
{
    /// <summary>Creates an exception.</summary>
    public BpfException()
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong.</param>
    public BpfException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BpfException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with the errno and libbpf's messages.</summary>
    /// <param name="message">What went wrong, with the errno text.</param>
    /// <param name="errno">The positive errno.</param>
    /// <param name="libbpfMessages">libbpf's last messages on this thread.</param>
    public BpfException(string message, int errno, IReadOnlyList<string> libbpfMessages)
        : base(message)
    {
        Errno = errno;
        LibbpfMessages = libbpfMessages;
    }

    /// <summary>The positive errno (0 when not from a system call).</summary>
    public int Errno { get; }

    /// <summary>libbpf's last messages before the failure (may be empty).</summary>
    public IReadOnlyList<string> LibbpfMessages { get; } = [];
}
