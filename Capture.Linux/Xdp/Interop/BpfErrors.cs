namespace Capture.Linux.Xdp.Interop;

/// <summary>Builds <see cref="BpfException"/>s with the errno text and libbpf's recent messages.</summary>
internal static class BpfErrors
{
    /// <summary>An exception for a failed call: "<paramref name="what"/>: errno text (errno N); libbpf: ...".</summary>
    /// <param name="what">What was attempted, naming the interface or object.</param>
    /// <param name="errno">The errno, either sign.</param>
    /// <param name="hint">What the operator can do, or null.</param>
    internal static BpfException Create(string what, int errno, string? hint = null)
    {
        errno = Math.Abs(errno);
        string[] messages = LibbpfLog.Take();
        string text = errno == 0 ? what : $"{what}: {Libc.ErrorText(errno)} (errno {errno})";
        if (hint is not null)
        {
            text += ". " + hint;
        }

        if (messages.Length > 0)
        {
            text += Environment.NewLine + "libbpf: " + string.Join(Environment.NewLine + "libbpf: ", messages.TakeLast(8));
        }

        return new BpfException(text, errno, messages);
    }
}
