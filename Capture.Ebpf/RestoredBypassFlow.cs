using Capture.Abstractions;

namespace Capture.Ebpf;

/// <summary>
/// A flow found in pinned maps at start (bypassed by an earlier run), with the counters the
/// kernel kept for it. The engine recreates it as a capture-bypassed flow and hands it to
/// <see cref="EbpfBypassStrategy.Adopt"/>. The orientation is a guess (the side with the lower
/// port is taken as the server; the map does not record who opened the flow).
/// </summary>
/// <param name="Flow">The flow.</param>
/// <param name="PacketsToServer">Packets counted Source → Destination.</param>
/// <param name="BytesToServer">Bytes counted Source → Destination.</param>
/// <param name="PacketsToClient">Packets counted Destination → Source.</param>
/// <param name="BytesToClient">Bytes counted Destination → Source.</param>
/// <param name="BothDirections">False when only one half was in the map (the other half's counters are zero).</param>
public readonly record struct RestoredBypassFlow(
    FlowTuple Flow,
    long PacketsToServer,
    long BytesToServer,
    long PacketsToClient,
    long BytesToClient,
    bool BothDirections);
