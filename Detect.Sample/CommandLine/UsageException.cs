namespace Detect.Sample.CommandLine;

/// <summary>The command line is wrong: exit code 2 with the message on one line.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
