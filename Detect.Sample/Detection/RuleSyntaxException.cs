namespace Detect.Sample.Detection;

/// <summary>A rule cannot be parsed; the message says what is wrong (the loader adds file and line).</summary>
internal sealed class RuleSyntaxException : Exception
{
    public RuleSyntaxException()
    {
    }

    public RuleSyntaxException(string message)
        : base(message)
    {
    }

    public RuleSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
