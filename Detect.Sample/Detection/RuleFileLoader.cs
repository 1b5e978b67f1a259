namespace Detect.Sample.Detection;

/// <summary>
/// Reads rules files: one rule per line, '#' comments, blank lines, a trailing '\' continues a
/// rule on the next line. A bad rule is skipped and recorded with file, line and problem
/// (as Suricata does); a duplicate sid replaces the earlier rule when its rev is higher and is
/// rejected the same way otherwise; a rule whose <c>requires</c> this host does not meet is skipped.
/// Firewall rules files are read first (as Suricata loads them), each rule with its firewall action and hook.
/// </summary>
internal static class RuleFileLoader
{
    public static RuleSet Load(IEnumerable<string> files, IReadOnlyDictionary<string, string> addressGroups, IReadOnlyDictionary<string, string> portGroups, IEnumerable<string>? firewallFiles = null, Firewall.IpReputation? reputation = null)
    {
        var rules = new List<Rule>();
        var errors = new List<RuleLoadError>();
        var loadedFiles = new List<string>();
        var sids = new Dictionary<(long Gid, long Sid), Rule>();
        // The firewall's files first; a list of names, not LINQ over (file, firewall) pairs, whose
        // iterators over the value tuple were JIT compiled at every start.
        List<string> all = [.. firewallFiles ?? []];
        int firewallFileCount = all.Count;
        all.AddRange(files);
        for (int f = 0; f < all.Count; f++)
        {
            string file = all[f];
            bool firewall = f < firewallFileCount;
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new RuleLoadError(file, 0, $"cannot read the rules file: {e.Message}"));
                continue;
            }

            loadedFiles.Add(file);
            for (int i = 0; i < lines.Length; i++)
            {
                int firstLine = i + 1;
                string text = lines[i].Trim();
                while (text.EndsWith('\\') && i + 1 < lines.Length)
                {
                    text = text[..^1] + lines[++i].Trim();
                }

                if (text.Length == 0 || text[0] == '#')
                {
                    continue;
                }

                try
                {
                    Rule rule = firewall
                        ? Firewall.FirewallRuleParser.Parse(text, addressGroups, portGroups, file, firstLine, reputation)
                        : RuleParser.Parse(text, addressGroups, portGroups, file, firstLine, reputation: reputation);
                    if (sids.TryGetValue((rule.Gid, rule.Sid), out Rule? previous))
                    {
                        if (rule.Rev <= previous.Rev)
                        {
                            throw new RuleSyntaxException($"duplicate sid {rule.Sid} (first at {previous.File}:{previous.Line}, rev {previous.Rev} is not older)");
                        }

                        // A newer revision of the same signature replaces the older one, as in Suricata.
                        rules.Remove(previous);
                    }

                    sids[(rule.Gid, rule.Sid)] = rule;
                    rules.Add(rule);
                }
                catch (RuleRequirementsUnmetException)
                {
                    // Not for this host: skipped without an error, as Suricata skips it.
                }
                catch (RuleSyntaxException e)
                {
                    errors.Add(new RuleLoadError(file, firstLine, e.Message));
                }
            }
        }

        return new RuleSet(rules, errors, loadedFiles);
    }
}
