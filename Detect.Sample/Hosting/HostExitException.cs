namespace Detect.Sample.Hosting;

/// <summary>Ends the run with an exit code and one line for stderr.</summary>
internal sealed class HostExitException : Exception
{
    public HostExitException()
    {
    }

    public HostExitException(string message)
        : base(message)
    {
    }

    public HostExitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HostExitException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.RuntimeError;
}
