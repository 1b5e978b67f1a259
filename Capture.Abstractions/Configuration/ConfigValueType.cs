namespace Capture.Abstractions;

/// <summary>What a declared configuration key holds (see <see cref="ConfigKey"/>).</summary>
public enum ConfigValueType
{
    /// <summary><c>yes/no</c>, <c>true/false</c>, <c>on/off</c>, <c>enable(d)/disable(d)</c>, <c>1/0</c>.</summary>
    Boolean,

    /// <summary>An integer within <see cref="ConfigKey.Minimum"/>..<see cref="ConfigKey.Maximum"/>, or one of <see cref="ConfigKey.Allowed"/> (e.g. <c>auto</c>).</summary>
    Integer,

    /// <summary>Bytes with an optional <c>kb/mb/gb</c> suffix (powers of 1024), within the range, or one of <see cref="ConfigKey.Allowed"/>.</summary>
    Size,

    /// <summary>A decimal number (<c>0.5</c>) within the range.</summary>
    Number,

    /// <summary>Free text (a name, a path, a filter expression).</summary>
    Text,

    /// <summary>One of <see cref="ConfigKey.Allowed"/>, compared without case.</summary>
    Choice,

    /// <summary>A list of values (a single value counts as a list of one).</summary>
    List,

    /// <summary>A mapping of the keys in <see cref="ConfigKey.Keys"/>.</summary>
    Mapping,

    /// <summary>
    /// Suricata's live-capture shape: a list of <c>- interface: NAME</c> entries, each a mapping of
    /// <see cref="ConfigKey.Keys"/>; an interface's absent keys fall back to the <c>interface: default</c> entry.
    /// </summary>
    InterfaceList,

    /// <summary>A list of one-key items (<c>- eve-log: { ... }</c>), each key one of <see cref="ConfigKey.Keys"/>.</summary>
    NamedList,
}
