namespace Detect.Sample.Output;

/// <summary>The kinds of EVE <c>anomaly</c> records (<c>anomaly.type</c>), each switched on by <c>- anomaly: {types: ...}</c>.</summary>
internal enum AnomalyType : byte
{
    /// <summary><c>decode</c>: a decoder event.</summary>
    Decode,

    /// <summary><c>stream</c>: a TCP stream event.</summary>
    Stream,

    /// <summary><c>applayer</c>: an application-layer event (protocol detection's, with <c>layer: proto_detect</c>).</summary>
    Applayer,
}
