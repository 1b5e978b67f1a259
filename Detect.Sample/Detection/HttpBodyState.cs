namespace Detect.Sample.Detection;

/// <summary>What a packet's HTTP body buffers are, as <see cref="HttpBodyTracking"/> follows bodies over packets.</summary>
internal enum HttpBodyState : byte
{
    /// <summary>No body is being followed: the body is what follows the head in the packet.</summary>
    InPacket,

    /// <summary>The packet carries part of a body still incomplete: no body buffer yet.</summary>
    Pending,

    /// <summary>The packet completed a body that began in an earlier one: the body buffer is the whole body.</summary>
    Complete,
}
