namespace Detect.Sample.Detection;

/// <summary>One <c>flowbits</c> option of a rule: what it does and to which bit (numbered across the rule set).</summary>
internal sealed class FlowbitCommand(FlowbitCommand.Op command, string name)
{
    internal enum Op
    {
        /// <summary>On a match: set the bit.</summary>
        Set,

        /// <summary>On a match: clear the bit.</summary>
        Unset,

        /// <summary>On a match: flip the bit.</summary>
        Toggle,

        /// <summary>A condition: the bit is set.</summary>
        IsSet,

        /// <summary>A condition: the bit is not set.</summary>
        IsNotSet,
    }

    public Op Command { get; } = command;

    public string Name { get; } = name;

    /// <summary>The bit's number in the flow's bit set; assigned when the rule set is built.</summary>
    public int Bit { get; set; } = -1;

    public bool IsCondition => Command is Op.IsSet or Op.IsNotSet;
}
