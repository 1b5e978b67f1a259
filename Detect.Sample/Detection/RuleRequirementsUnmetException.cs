namespace Detect.Sample.Detection;

/// <summary>A rule's <c>requires</c> are not met by this host: the rule is skipped, not failed (as Suricata skips it).</summary>
internal sealed class RuleRequirementsUnmetException : Exception
{
    public RuleRequirementsUnmetException()
    {
    }

    public RuleRequirementsUnmetException(string message)
        : base(message)
    {
    }

    public RuleRequirementsUnmetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
