using System.Text.RegularExpressions;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// Parses a rule of a firewall rules file: <c>action[,secondary...] proto:hook src sport -&gt; dst dport (options)</c>,
/// e.g. <c>accept:hook tcp:all ...</c>, <c>drop:flow http1:request_line ...</c>. The action and hook are
/// the firewall's; the addresses, ports and options are read as in any rule (<see cref="RuleParser"/>).
/// </summary>
internal static partial class FirewallRuleParser
{
    /// <summary>The packet-layer hooks and the protocols they apply to.</summary>
    private static readonly string[] PacketProtocols = ["ip", "ipv4", "ipv6", "tcp", "udp", "icmp", "icmpv4", "icmpv6", "sctp"];

    /// <summary>HTTP/1's states (libhtp's progress values, the numbering Suricata's hooks use), request then response side.</summary>
    private static readonly string[] HttpStates = ["started", "line", "headers", "body", "trailer", "complete"];

    public static Rule Parse(string text, IReadOnlyDictionary<string, string> addressGroups, IReadOnlyDictionary<string, string> portGroups, string file, int line, IpReputation? reputation = null)
    {
        Match header = Header().Match(text);
        if (!header.Success)
        {
            throw new RuleSyntaxException("expected 'action:scope proto:hook src sport -> dst dport (options)'");
        }

        FirewallRuleSpec spec = ParseActions(header.Groups["action"].Value, ParseHook(header.Groups["proto"].Value));
        // The rest is an ordinary rule: its own parser reads it with the hook's protocol.
        string rest = string.Concat("alert ", spec.Hook.Protocol, text.AsSpan(header.Length));
        return RuleParser.Parse(rest, addressGroups, portGroups, file, line, spec, reputation);
    }

    /// <summary>Reads <c>proto:hook</c>.</summary>
    public static FirewallHook ParseHook(string field)
    {
        int colon = field.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == field.Length - 1)
        {
            throw new RuleSyntaxException($"protocol '{field}' has no hook; a firewall rule names one explicitly, e.g. tcp:all, udp:flow_start, http1:request_line");
        }

        string protocol = field[..colon].ToLowerInvariant();
        string name = field[(colon + 1)..];
        bool prior = name.StartsWith('<');
        if (prior)
        {
            name = name[1..];
        }

        if (Array.IndexOf(PacketProtocols, protocol) >= 0)
        {
            if (prior)
            {
                throw new RuleSyntaxException($"'{field}': '<' (accept the states before) is for application-layer hooks only");
            }

            return name switch
            {
                "all" => new FirewallHook { Table = FirewallTable.PacketFilter, Protocol = protocol, Name = name },
                "flow_start" => new FirewallHook { Table = FirewallTable.PacketFilter, Protocol = protocol, Name = name, FlowStart = true },
                "pre_flow" => new FirewallHook { Table = FirewallTable.PreFlow, Protocol = protocol, Name = name },
                "pre_stream" when string.Equals(protocol, "tcp", StringComparison.Ordinal) => new FirewallHook { Table = FirewallTable.PreStream, Protocol = protocol, Name = name },
                "pre_stream" => throw new RuleSyntaxException($"'{field}': pre_stream is a TCP hook"),
                _ => throw new RuleSyntaxException($"'{field}': '{name}' is not a packet hook; expected all, flow_start, pre_flow or pre_stream"),
            };
        }

        if (protocol is "http1")
        {
            int side = name.StartsWith("request_", StringComparison.Ordinal) ? 0 : name.StartsWith("response_", StringComparison.Ordinal) ? 1 : -1;
            int progress = side < 0 ? -1 : Array.IndexOf(HttpStates, name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..]);
            if (progress < 0)
            {
                throw new RuleSyntaxException($"'{field}': '{name}' is not an http1 state; expected request_ or response_ followed by {string.Join(", ", HttpStates)}");
            }

            return new FirewallHook { Table = FirewallTable.App, Protocol = protocol, Name = name, Progress = progress, ToServer = side == 0, AcceptsPriorStates = prior };
        }

        throw new RuleSyntaxException($"hook '{field}' is not supported by this host: packet hooks ({string.Join(", ", PacketProtocols)} with all, flow_start, pre_flow, pre_stream) and http1's request_*/response_* states are");
    }

    /// <summary>Reads the action list: the primary firewall action first, then secondary <c>alert</c> / <c>pass:flow</c> / <c>pass:packet</c>.</summary>
    public static FirewallRuleSpec ParseActions(string field, FirewallHook hook)
    {
        string[] actions = field.Split(',');
        (FirewallVerdict verdict, FirewallActionScope scope) = actions[0] switch
        {
            "accept:packet" => (FirewallVerdict.Accept, FirewallActionScope.Packet),
            "accept:flow" => (FirewallVerdict.Accept, FirewallActionScope.Flow),
            "accept:hook" => (FirewallVerdict.Accept, FirewallActionScope.Hook),
            "accept:tx" => (FirewallVerdict.Accept, FirewallActionScope.Tx),
            "drop:packet" => (FirewallVerdict.Drop, FirewallActionScope.Packet),
            "drop:flow" => (FirewallVerdict.Drop, FirewallActionScope.Flow),
            "reject" or "reject:packet" => (FirewallVerdict.Reject, FirewallActionScope.Packet),
            "reject:flow" => (FirewallVerdict.Reject, FirewallActionScope.Flow),
            "accept" or "drop" => throw new RuleSyntaxException($"action '{actions[0]}' needs an explicit scope in a firewall rule, e.g. {actions[0]}:{(string.Equals(actions[0], "accept", StringComparison.Ordinal) ? "hook" : "packet")}"),
            "alert" or "pass" or "pass:flow" or "pass:packet" => throw new RuleSyntaxException($"'{actions[0]}' is only a secondary action in a firewall rule; the first action is accept:<scope>, drop:<scope> or reject"),
            _ => throw new RuleSyntaxException($"action '{actions[0]}' is not a firewall action; expected accept:packet|flow|hook|tx, drop:packet|flow or reject"),
        };

        if (scope == FirewallActionScope.Tx && hook.Table != FirewallTable.App)
        {
            throw new RuleSyntaxException($"accept:tx is for application-layer hooks; '{hook}' is a packet hook");
        }

        if (scope == FirewallActionScope.Flow && hook.Table == FirewallTable.PreFlow)
        {
            throw new RuleSyntaxException($"'{actions[0]}' in hook '{hook}': there is no flow yet before the flow is looked up; use the packet scope");
        }

        bool alert = false, passFlow = false, passPacket = false;
        foreach (string secondary in actions.AsSpan(1))
        {
            switch (secondary)
            {
                case "alert":
                    alert = true;
                    break;
                case "pass:flow":
                    passFlow = true;
                    break;
                case "pass:packet" or "pass":
                    passPacket = true;
                    break;
                default:
                    throw new RuleSyntaxException($"secondary action '{secondary}' is not allowed; expected alert, pass:flow or pass:packet");
            }
        }

        if ((passFlow || passPacket) && verdict != FirewallVerdict.Accept)
        {
            throw new RuleSyntaxException("a secondary pass applies to what the firewall accepts; the primary action must be accept");
        }

        return new FirewallRuleSpec { Verdict = verdict, Scope = scope, Hook = hook, Alert = alert, PassFlow = passFlow, PassPacket = passPacket };
    }

    [GeneratedRegex(@"^\s*(?<action>\S+)\s+(?<proto>\S+)", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Header();
}
