namespace Detect.Sample.Detection;

/// <summary>
/// One <c>hostbits</c> option of a rule: a command or condition on a named bit of the packet's
/// source host, destination host or both (<c>hostbits:set,name,dst</c>; the host is the source when not given).
/// </summary>
internal sealed record HostbitCommand(FlowbitCommand.Op Command, string Name, HostbitCommand.Target Host)
{
    internal enum Target
    {
        /// <summary><c>src</c> / <c>ip_src</c> (the default).</summary>
        Source,

        /// <summary><c>dst</c> / <c>ip_dst</c>.</summary>
        Destination,

        /// <summary><c>both</c>: the source and the destination.</summary>
        Both,
    }

    public bool IsCondition => Command is FlowbitCommand.Op.IsSet or FlowbitCommand.Op.IsNotSet;

    /// <summary>Parses the value of <c>hostbits:</c>.</summary>
    public static HostbitCommand Parse(string value)
    {
        string[] parts = value.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 || parts[1].Length == 0)
        {
            throw new RuleSyntaxException($"hostbits: '{value}' is not allowed; expected set|unset|toggle|isset|isnotset,<name>[,src|dst|both]");
        }

        FlowbitCommand.Op command = FlowbitCommand.ParseOp("hostbits", parts[0]);
        Target host = parts.Length < 3 ? Target.Source : parts[2] switch
        {
            "src" or "ip_src" => Target.Source,
            "dst" or "ip_dst" => Target.Destination,
            "both" => Target.Both,
            _ => throw new RuleSyntaxException($"hostbits: '{parts[2]}' is not a host; expected src, dst or both (expiry is not supported)"),
        };
        return new HostbitCommand(command, parts[1], host);
    }
}
