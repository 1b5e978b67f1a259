namespace Capture.Hosting.Configuration;

/// <summary>
/// The rule for the names of log files: a plain file name, written inside the log directory
/// (<c>-l</c> or <c>default-log-dir</c>), never a path that leads elsewhere.
/// </summary>
public static class LogFileName
{
    /// <summary>What is wrong with <paramref name="name"/> as a log file name.</summary>
    /// <param name="name">The configured name.</param>
    /// <returns>Null when it is a plain file name, else the problem.</returns>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the file name is empty";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            return $"'{name}' is not a plain file name; log files are written inside the log directory (-l or default-log-dir)";
        }

        return name.Contains('\0', StringComparison.Ordinal) ? $"'{name}' contains a NUL character" : null;
    }
}
