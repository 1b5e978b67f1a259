namespace Capture.Abstractions;

/// <summary>The shape of a configuration node.</summary>
public enum ConfigNodeKind
{
    /// <summary>A single value.</summary>
    Scalar,

    /// <summary>Keys to nodes.</summary>
    Mapping,

    /// <summary>A list of nodes.</summary>
    Sequence,
}
