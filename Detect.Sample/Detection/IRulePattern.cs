namespace Detect.Sample.Detection;

/// <summary>One pattern of a rule inspected in a buffer: a <c>content</c> or a <c>pcre</c>.</summary>
internal interface IRulePattern
{
    /// <summary>The pattern must not occur (<c>content:!</c>, <c>pcre:!</c>).</summary>
    bool Negated { get; }

    /// <summary>The pattern is placed relative to the end of the previous match in the same buffer (distance/within, pcre's R).</summary>
    bool Relative { get; }

    /// <summary>
    /// Finds the first occurrence that starts at or after <paramref name="from"/> and lies where the
    /// pattern's modifiers allow, given that the previous match in the buffer ended at <paramref name="previousEnd"/>.
    /// </summary>
    bool TryFind(ReadOnlySpan<byte> buffer, int previousEnd, int from, out int start, out int end);
}
