namespace Capture.Netronome.Bypass;

/// <summary>Which flow a map entry belongs to, and which direction of it.</summary>
/// <param name="State">The flow.</param>
/// <param name="ToServer">True for the client-to-server half.</param>
internal readonly record struct OffloadHalf(OffloadFlowState State, bool ToServer);
