namespace Detect.Sample.Detection;

/// <summary>
/// The order rules run in, as Suricata's signature ordering (detect-engine-sigorder.c) sets it:
/// by action (pass, drop, reject, alert), then by how the rule uses flowbits (those that only set
/// come first, then those that test and set, then those that only test, then those without), then
/// whether it sets a flow variable, then a packet variable (a <c>pcre</c> capture), then whether it
/// sets hostbits, then priority (1 first), then sid. Within one packet a rule's flowbit
/// commands take effect before the next rule runs, so this order decides what a test of a bit sees.
/// </summary>
internal static class RuleOrder
{
    /// <summary>The rules in the order they run; rules equal in every key keep their order.</summary>
    public static Rule[] Sort(IEnumerable<Rule> rules) =>
        [.. rules.OrderBy(ActionRank).ThenBy(FlowbitsRank).ThenBy(r => r.Captures(PcreCaptureKind.Flow) ? 0 : 1)
            .ThenBy(r => r.Captures(PcreCaptureKind.Packet) ? 0 : 1).ThenBy(HostbitsRank).ThenBy(r => r.Severity).ThenBy(r => r.Sid)];

    private static int ActionRank(Rule rule) => rule.Action switch
    {
        RuleAction.Pass => 0,
        RuleAction.Drop => 1,
        RuleAction.Reject => 2,
        _ => 3,
    };

    /// <summary>0: sets only; 1: tests and sets; 2: tests only; 3: no flowbits (Suricata's SET, SET_READ, READ, NOT_USED).</summary>
    private static int FlowbitsRank(Rule rule)
    {
        bool tests = false, sets = false;
        foreach (FlowbitCommand command in rule.Flowbits)
        {
            tests |= command.IsCondition;
            sets |= !command.IsCondition;
        }

        return (tests, sets) switch
        {
            (false, true) => 0,
            (true, true) => 1,
            (true, false) => 2,
            _ => 3,
        };
    }

    /// <summary>
    /// 0 for a rule that sets, unsets or toggles hostbits, else 1. Suricata counts a hostbits test
    /// as a read only when written as <c>xbits</c>, so a rule that tests hostbits ranks as one without.
    /// </summary>
    private static int HostbitsRank(Rule rule)
    {
        foreach (HostbitCommand command in rule.Hostbits)
        {
            if (!command.IsCondition)
            {
                return 0;
            }
        }

        return 1;
    }
}
