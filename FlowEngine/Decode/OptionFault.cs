namespace FlowEngine.Decode;

/// <summary>Why an option walk stopped before the end of the options.</summary>
internal enum OptionFault : byte
{
    /// <summary>The options were well formed.</summary>
    None,

    /// <summary>An option kind was the last byte: its length is missing.</summary>
    MissingLength,

    /// <summary>A length below 2 (it counts the kind and length bytes).</summary>
    LengthTooShort,

    /// <summary>An option runs past the end of the header.</summary>
    PastHeader,
}
