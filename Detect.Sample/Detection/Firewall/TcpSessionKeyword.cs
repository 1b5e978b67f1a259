namespace Detect.Sample.Detection.Firewall;

/// <summary><c>tcp.session:setup[,established][,closing]</c>, parsed as strictly as Suricata parses it.</summary>
internal static class TcpSessionKeyword
{
    private const string Accepted = "accepted tokens are {setup, established, closing}";

    public static TcpSessionPhases Parse(string value)
    {
        if (value.Length == 0)
        {
            throw new RuleSyntaxException($"tcp.session needs a value: a comma-separated subset of {{setup, established, closing}}");
        }

        if (value.Length > 32)
        {
            throw new RuleSyntaxException($"tcp.session: argument too long ({value.Length} > 32); {Accepted}");
        }

        var phases = TcpSessionPhases.None;
        foreach (string token in value.Split(','))
        {
            TcpSessionPhases phase = token switch
            {
                "setup" => TcpSessionPhases.Setup,
                "established" => TcpSessionPhases.Established,
                "closing" => TcpSessionPhases.Closing,
                "" => throw new RuleSyntaxException($"tcp.session: empty token in \"{value}\" (leading, trailing or doubled comma); {Accepted}"),
                _ => throw new RuleSyntaxException($"tcp.session: unknown token \"{token}\" in \"{value}\"; {Accepted}"),
            };
            if ((phases & phase) != 0)
            {
                throw new RuleSyntaxException($"tcp.session: duplicate token \"{token}\" in \"{value}\"");
            }

            phases |= phase;
        }

        return phases;
    }

    /// <summary>
    /// The phases of a TCP packet: established once the handshake completed (and to the end of the
    /// session), else setup; closing too between the first FIN and the session's close.
    /// </summary>
    public static TcpSessionPhases Of(bool established, bool closing) =>
        (established ? TcpSessionPhases.Established : TcpSessionPhases.Setup) | (closing ? TcpSessionPhases.Closing : TcpSessionPhases.None);
}
