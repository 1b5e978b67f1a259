namespace Detect.Sample.Detection;

/// <summary>
/// What a rule inspects in one buffer: its patterns in the rule's order (relative ones placed after
/// the previous match) and an optional size test (<c>bsize</c>). The buffer must exist in the packet.
/// </summary>
internal sealed class BufferInspection(RuleBuffer buffer)
{
    /// <summary>How many placements of earlier patterns are tried before a rule gives up on a buffer, as Suricata bounds its recursion.</summary>
    private const int MaxSteps = 1024;

    private readonly List<IRulePattern> _patterns = [];

    public RuleBuffer Buffer { get; } = buffer;

    public IReadOnlyList<IRulePattern> Patterns => _patterns;

    /// <summary><c>bsize</c>: the buffer's length.</summary>
    public RuleNumber? Size { get; set; }

    public void Add(IRulePattern pattern) => _patterns.Add(pattern);

    /// <summary>Whether every pattern and the size test hold in <paramref name="bytes"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes)
    {
        if (Size is { } size && !size.Matches(bytes.Length))
        {
            return false;
        }

        int steps = 0;
        return MatchFrom(bytes, 0, 0, ref steps);
    }

    private bool MatchFrom(ReadOnlySpan<byte> bytes, int index, int previousEnd, ref int steps)
    {
        if (index == _patterns.Count)
        {
            return true;
        }

        IRulePattern pattern = _patterns[index];
        if (pattern.Negated)
        {
            return !pattern.TryFind(bytes, previousEnd, 0, out _, out _) && MatchFrom(bytes, index + 1, previousEnd, ref steps);
        }

        // Another placement of this pattern only matters when the next one is placed relative to it.
        bool nextRelative = index + 1 < _patterns.Count && _patterns[index + 1].Relative;
        int from = 0;
        while (++steps <= MaxSteps && pattern.TryFind(bytes, previousEnd, from, out int start, out int end))
        {
            if (MatchFrom(bytes, index + 1, end, ref steps))
            {
                return true;
            }

            if (!nextRelative)
            {
                return false;
            }

            from = start + 1;
        }

        return false;
    }
}
