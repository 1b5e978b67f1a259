using System.Globalization;

namespace Detect.Sample.Detection;

/// <summary>
/// Parses one rule of the supported subset of Suricata's syntax:
/// <c>alert|pass proto src sport -&gt;|&lt;&gt; dst dport (option; ...)</c> with msg, content
/// (with <c>|hex|</c>, <c>!</c>), nocase, sid, rev, gid, classtype, priority, bypass;
/// metadata, reference and target are accepted and ignored.
/// </summary>
internal static class RuleParser
{
    private static readonly Dictionary<string, (string Category, int Severity)> ClassTypes = new(StringComparer.Ordinal)
    {
        ["not-suspicious"] = ("Not Suspicious Traffic", 3),
        ["unknown"] = ("Unknown Traffic", 3),
        ["bad-unknown"] = ("Potentially Bad Traffic", 2),
        ["attempted-recon"] = ("Attempted Information Leak", 2),
        ["successful-recon-limited"] = ("Information Leak", 2),
        ["attempted-dos"] = ("Attempted Denial of Service", 2),
        ["attempted-user"] = ("Attempted User Privilege Gain", 1),
        ["attempted-admin"] = ("Attempted Administrator Privilege Gain", 1),
        ["web-application-attack"] = ("Web Application Attack", 1),
        ["trojan-activity"] = ("A Network Trojan was detected", 1),
        ["policy-violation"] = ("Potential Corporate Privacy Violation", 1),
        ["protocol-command-decode"] = ("Generic Protocol Command Decode", 3),
        ["misc-activity"] = ("Misc activity", 3),
        ["misc-attack"] = ("Misc Attack", 2),
        ["network-scan"] = ("Detection of a Network Scan", 3),
    };

    public static Rule Parse(string text, IReadOnlyDictionary<string, string> addressGroups, IReadOnlyDictionary<string, string> portGroups, string file, int line)
    {
        int open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || text.TrimEnd()[^1] != ')')
        {
            throw new RuleSyntaxException("expected 'action proto src sport -> dst dport (options)'; the option block in parentheses is missing");
        }

        List<string> header = SplitHeader(text[..open]);
        if (header.Count != 7)
        {
            throw new RuleSyntaxException($"the header has {header.Count} fields, expected 7: action proto src sport -> dst dport");
        }

        RuleAction action = header[0] switch
        {
            "alert" => RuleAction.Alert,
            "pass" => RuleAction.Pass,
            "drop" or "reject" or "rejectsrc" or "rejectdst" or "rejectboth" => throw new RuleSyntaxException($"action '{header[0]}' needs inline (IPS) mode; this host is an IDS: use alert or pass"),
            _ => throw new RuleSyntaxException($"action '{header[0]}' is not supported; expected alert or pass"),
        };
        RuleProtocol protocol = header[1].ToLowerInvariant() switch
        {
            "ip" or "any" or "pkthdr" => RuleProtocol.Ip,
            "tcp" or "tcp-pkt" => RuleProtocol.Tcp,
            "udp" => RuleProtocol.Udp,
            "icmp" or "icmpv4" or "icmpv6" => RuleProtocol.Icmp,
            _ => throw new RuleSyntaxException($"protocol '{header[1]}' is not supported; expected tcp, udp, icmp or ip"),
        };
        bool bidirectional = header[4] switch
        {
            "->" => false,
            "<>" => true,
            _ => throw new RuleSyntaxException($"direction '{header[4]}' is not allowed; expected -> or <>"),
        };

        string message = string.Empty;
        long? sid = null;
        long rev = 1;
        long gid = 1;
        string category = string.Empty;
        int severity = 3;
        int? priority = null;
        bool bypass = false;
        var contents = new List<ContentPattern>();
        string optionBlock = text[(open + 1)..text.LastIndexOf(')')];
        foreach (string option in RuleText.SplitOptions(optionBlock))
        {
            int colon = option.IndexOf(':', StringComparison.Ordinal);
            string keyword = (colon < 0 ? option : option[..colon]).Trim();
            string value = colon < 0 ? string.Empty : option[(colon + 1)..].Trim();
            switch (keyword)
            {
                case "msg":
                    message = Unquote(value, keyword);
                    break;
                case "content":
                    contents.Add(ContentPattern.Parse(value));
                    break;
                case "nocase":
                    if (contents.Count == 0)
                    {
                        throw new RuleSyntaxException("nocase must follow a content");
                    }

                    contents[^1].SetNoCase();
                    break;
                case "sid":
                    sid = Number(value, keyword, 1);
                    break;
                case "rev":
                    rev = Number(value, keyword, 0);
                    break;
                case "gid":
                    gid = Number(value, keyword, 0);
                    break;
                case "priority":
                    priority = (int)Number(value, keyword, 1, 255);
                    break;
                case "classtype":
                    if (!ClassTypes.TryGetValue(value, out (string Category, int Severity) known))
                    {
                        throw new RuleSyntaxException($"classtype '{value}' is unknown; known: {string.Join(", ", ClassTypes.Keys)}");
                    }

                    (category, severity) = known;
                    break;
                case "bypass":
                    if (action == RuleAction.Pass)
                    {
                        throw new RuleSyntaxException("bypass cannot be used with a pass rule");
                    }

                    bypass = true;
                    break;
                case "metadata" or "reference" or "target":
                    break;
                default:
                    throw new RuleSyntaxException($"keyword '{keyword}' is not supported by this host (supported: msg, content, nocase, sid, rev, gid, classtype, priority, bypass, metadata, reference)");
            }
        }

        if (sid is null)
        {
            throw new RuleSyntaxException("the rule has no sid");
        }

        return new Rule
        {
            Action = action,
            Protocol = protocol,
            Source = AddressSet.Parse(header[2], addressGroups),
            SourcePorts = PortSet.Parse(header[3], portGroups),
            Destination = AddressSet.Parse(header[5], addressGroups),
            DestinationPorts = PortSet.Parse(header[6], portGroups),
            Bidirectional = bidirectional,
            Contents = contents,
            Message = message,
            Sid = sid.Value,
            Rev = rev,
            Gid = gid,
            Category = category,
            Severity = priority ?? severity,
            Bypass = bypass,
            File = file,
            Line = line,
        };
    }

    private static List<string> SplitHeader(string header)
    {
        var fields = new List<string>();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= header.Length; i++)
        {
            char c = i < header.Length ? header[i] : ' ';
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                depth--;
            }

            if (char.IsWhiteSpace(c) && depth == 0)
            {
                if (start >= 0)
                {
                    fields.Add(header[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return fields;
    }

    private static string Unquote(string value, string keyword)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            throw new RuleSyntaxException($"{keyword} must be a quoted string");
        }

        var text = new System.Text.StringBuilder();
        string inner = value[1..^1];
        for (int i = 0; i < inner.Length; i++)
        {
            text.Append(inner[i] == '\\' && i + 1 < inner.Length ? inner[++i] : inner[i]);
        }

        return text.ToString();
    }

    private static long Number(string value, string keyword, long min, long max = uint.MaxValue)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number < min || number > max)
        {
            throw new RuleSyntaxException($"{keyword}: '{value}' is not allowed; expected an integer {min}..{max}");
        }

        return number;
    }
}
