namespace FlowEngine.Decode;

/// <summary>
/// Walks IPv4 and TCP options, which share one layout: end-of-list (0), no-op (1), then
/// kind, length (counting both bytes) and value. Stops at the end of the list or at the first
/// option whose length is missing, too short or past the header.
/// </summary>
internal ref struct OptionWalker
{
    private readonly ReadOnlySpan<byte> _options;
    private int _next;

    public OptionWalker(ReadOnlySpan<byte> options) => _options = options;

    /// <summary>The current option's kind.</summary>
    public byte Kind { get; private set; }

    /// <summary>The current option's length, its two leading bytes included.</summary>
    public int Length { get; private set; }

    /// <summary>Why the walk stopped early, or <see cref="OptionFault.None"/>.</summary>
    public OptionFault Fault { get; private set; }

    /// <summary>Moves to the next option that has a length; false at the end of the list or on a fault.</summary>
    public bool MoveNext()
    {
        while (_next < _options.Length)
        {
            byte kind = _options[_next];
            if (kind == 0)
            {
                return false;
            }

            if (kind == 1)
            {
                _next++;
                continue;
            }

            if (_next + 1 >= _options.Length)
            {
                Fault = OptionFault.MissingLength;
                return false;
            }

            int length = _options[_next + 1];
            if (length < 2)
            {
                Fault = OptionFault.LengthTooShort;
                return false;
            }

            if (_next + length > _options.Length)
            {
                Fault = OptionFault.PastHeader;
                return false;
            }

            Kind = kind;
            Length = length;
            _next += length;
            return true;
        }

        return false;
    }
}
