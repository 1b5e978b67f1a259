using System.Globalization;
using System.Net;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Detection;

/// <summary>
/// Picks the <c>bypass</c> rules that packet headers alone decide and hands them to the capture as
/// <see cref="HeaderBypassRule"/>s (docs/XDP.md, "Kernel bypass rules"): an <c>alert</c> rule on
/// tcp, udp or ip (ipv4, ipv6) with positive address and port lists, either direction, and no
/// option but msg, sid, rev, gid, classtype, priority, metadata, reference, target and bypass.
/// Conservative where the engine might not bypass on the match: a pass, drop or reject rule that
/// can see the same protocol keeps the rule in user space. Everything else stays user space's.
/// </summary>
internal static partial class HeaderBypassRules
{
    private static readonly HashSet<string> HeaderOnlyKeywords = new(StringComparer.Ordinal)
    {
        "msg", "sid", "rev", "gid", "classtype", "priority", "metadata", "reference", "target", "bypass",
    };

    /// <summary>The header-only bypass rules of <paramref name="rules"/>; logs how many, and by sid why the others are not.</summary>
    public static IReadOnlyList<HeaderBypassRule> Select(RuleSet rules, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(rules);
        List<HeaderBypassRule> selected = [];
        List<HeaderRuleRefusal> userSpace = [];
        Select(rules, selected, userSpace);
        if (selected.Count + userSpace.Count == 0)
        {
            return selected;
        }

        Selected(logger, selected.Count, selected.Count + userSpace.Count, string.Join(", ", selected.Select(r => r.Sid.ToString(CultureInfo.InvariantCulture))));
        foreach (HeaderRuleRefusal refusal in userSpace)
        {
            NotHeaderOnly(logger, refusal.Sid, refusal.Reason);
        }

        return selected;
    }

    /// <summary>Sorts the bypass rules into header-only ones (<paramref name="selected"/>) and the others, each with why.</summary>
    public static void Select(RuleSet rules, List<HeaderBypassRule> selected, List<HeaderRuleRefusal> userSpace)
    {
        ArgumentNullException.ThrowIfNull(rules);
        List<Rule>? overriding = null;
        foreach (Rule rule in rules.Rules)
        {
            if (!rule.Bypass)
            {
                continue;
            }

            // The rules that act before alert, found once (most sets have none). Firewall rules all
            // act first: their hooks and default drops decide before any threat-detection rule.
            overriding ??= [.. rules.Rules.Where(r => r.Action != RuleAction.Alert || r.Firewall is not null)];
            if (WhyNot(rule, overriding) is { } why)
            {
                userSpace.Add(new HeaderRuleRefusal(rule.Sid, why));
                continue;
            }

            selected.Add(new HeaderBypassRule
            {
                Sid = rule.Sid,
                Protocol = rule.Protocol switch
                {
                    RuleProtocol.Tcp => 6,
                    RuleProtocol.Udp => 17,
                    _ => 0,
                },
                IpVersion = rule.Protocol switch
                {
                    RuleProtocol.Ipv4 => 4,
                    RuleProtocol.Ipv6 => 6,
                    _ => 0,
                },
                Sources = Networks(rule.Source),
                SourcePorts = Ranges(rule.SourcePorts),
                Destinations = Networks(rule.Destination),
                DestinationPorts = Ranges(rule.DestinationPorts),
                Bidirectional = rule.Bidirectional,
            });
        }
    }

    /// <summary>
    /// Why the rule's match needs more than its headers (or might not bypass: <paramref name="overriding"/>
    /// are the set's pass, drop and reject rules); null when headers decide it.
    /// </summary>
    internal static string? WhyNot(Rule rule, IReadOnlyList<Rule> overriding)
    {
        if (rule.Action != RuleAction.Alert)
        {
            return $"action {rule.Action.ToString().ToLowerInvariant()}: only alert rules bypass at their match";
        }

        if (rule.AppProtocol != AppProtocol.Unknown)
        {
            return $"protocol {rule.AppProtocol}: the match needs application-layer detection";
        }

        if (rule.Protocol is not (RuleProtocol.Tcp or RuleProtocol.Udp or RuleProtocol.Ip or RuleProtocol.Ipv4 or RuleProtocol.Ipv6))
        {
            return $"protocol {rule.Protocol.ToString().ToLowerInvariant()}: the XDP filter keys TCP and UDP flows only";
        }

        foreach (string keyword in rule.Keywords)
        {
            if (!HeaderOnlyKeywords.Contains(keyword))
            {
                return $"keyword '{keyword}': the match needs more than the packet headers";
            }
        }

        if (rule.Source.HasExclusions || rule.Destination.HasExclusions || rule.SourcePorts.HasExclusions || rule.DestinationPorts.HasExclusions)
        {
            return "a negated address or port (!): the XDP filter tests positive lists only";
        }

        foreach (Rule other in overriding)
        {
            if (other.Firewall is not null || SharesProtocol(rule.Protocol, other.Protocol))
            {
                string kind = other.Firewall is not null ? "firewall" : other.Action.ToString().ToLowerInvariant();
                return string.Create(CultureInfo.InvariantCulture, $"{kind} rule sid {other.Sid} may match the same packets and takes precedence over alert");
            }
        }

        return null;
    }

    // Whether a packet the bypass rule matches (TCP or UDP) can be one the other rule's protocol takes.
    private static bool SharesProtocol(RuleProtocol bypass, RuleProtocol other) => other switch
    {
        RuleProtocol.Ip or RuleProtocol.Ipv4 or RuleProtocol.Ipv6 => true,
        RuleProtocol.Tcp => bypass is not RuleProtocol.Udp,
        RuleProtocol.Udp => bypass is not RuleProtocol.Tcp,
        _ => false,
    };

    private static IPNetwork[] Networks(AddressSet set) =>
        [.. set.Included.Select(entry =>
        {
            byte[] masked = (byte[])entry.Prefix.Clone();
            for (int i = 0; i < masked.Length; i++)
            {
                int bits = Math.Clamp(entry.Bits - (8 * i), 0, 8);
                masked[i] &= (byte)(0xFF << (8 - bits));
            }

            return new IPNetwork(new IPAddress(masked), entry.Bits);
        })];

    private static PortRange[] Ranges(PortSet set) =>
        [.. set.Included.Select(r => new PortRange((ushort)r.Low, (ushort)r.High))];

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "{Selected} of {Bypass} bypass rules are decided by packet headers alone and go to the capture (sids {Sids}): a capture that can test them (af-packet with an XDP filter) bypasses their flows at the first matching packet")]
    private static partial void Selected(ILogger logger, int selected, int bypass, string sids);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "bypass rule sid {Sid} stays with user space: {Reason}")]
    private static partial void NotHeaderOnly(ILogger logger, long sid, string reason);
}
