using System.Diagnostics;

namespace Detect.Sample.Detection;

/// <summary>
/// One <c>flowbits</c> option of a rule: what it does and to which bits (numbered across the rule
/// set). A condition may name several bits: <c>a|b</c> holds when any of them passes the test,
/// <c>a&amp;b</c> when all do; a command names one or several (<c>a&amp;b</c>) bits.
/// </summary>
internal sealed class FlowbitCommand
{
    public FlowbitCommand(Op command, IReadOnlyList<string> names, bool any)
    {
        Command = command;
        Names = names;
        Any = any;
        Bits = new int[names.Count];
        Array.Fill(Bits, -1);
    }

    internal enum Op
    {
        /// <summary>On a match: set the bits.</summary>
        Set,

        /// <summary>On a match: clear the bits.</summary>
        Unset,

        /// <summary>On a match: flip the bits.</summary>
        Toggle,

        /// <summary>A condition: the bits are set.</summary>
        IsSet,

        /// <summary>A condition: the bits are not set.</summary>
        IsNotSet,
    }

    public Op Command { get; }

    /// <summary>The command word of <c>flowbits</c>/<c>hostbits</c> (<paramref name="keyword"/>), which share them.</summary>
    /// <exception cref="RuleSyntaxException">It is none of them; <paramref name="alsoAllowed"/> is named in the message.</exception>
    public static Op ParseOp(string keyword, string word, string alsoAllowed = "") => word switch
    {
        "set" => Op.Set,
        "unset" => Op.Unset,
        "toggle" => Op.Toggle,
        "isset" => Op.IsSet,
        "isnotset" => Op.IsNotSet,
        _ => throw new RuleSyntaxException($"{keyword}: '{word}' is not a command; expected set, unset, toggle, isset{(alsoAllowed.Length == 0 ? " or isnotset" : $", isnotset or {alsoAllowed}")}"),
    };

    public IReadOnlyList<string> Names { get; }

    /// <summary>The bits' numbers in the flow's bit set, one per name; assigned when the rule set is built.</summary>
    public int[] Bits { get; }

    /// <summary>For a condition over several names: any (<c>|</c>) rather than all (<c>&amp;</c>) must pass.</summary>
    public bool Any { get; }

    public bool IsCondition => Command is Op.IsSet or Op.IsNotSet;

    /// <summary>Whether the condition holds on a flow (no flow state: no bit is set).</summary>
    public bool Holds(DetectionFlowState? flow)
    {
        Debug.Assert(IsCondition, "only isset and isnotset are conditions");
        bool wanted = Command == Op.IsSet;
        foreach (int bit in Bits)
        {
            bool passes = (flow?.IsSet(bit) ?? false) == wanted;
            if (passes == Any)
            {
                return Any;
            }
        }

        return !Any;
    }
}
