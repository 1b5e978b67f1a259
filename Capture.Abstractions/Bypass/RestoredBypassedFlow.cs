namespace Capture.Abstractions;

/// <summary>
/// A flow that the capture bypassed before this process started (found, for example, in pinned
/// kernel maps), with the packets and bytes the capture counted for it so far. The engine
/// recreates it as a capture-bypassed flow and hands it back through
/// <see cref="IRestoredBypassSource.Adopt"/>.
/// </summary>
/// <param name="Flow">
/// The flow in its own orientation. Captures that do not record who opened a flow choose one
/// (the kernel maps take the side with the lower port as the server).
/// </param>
/// <param name="PacketsToServer">Packets counted so far, Source → Destination.</param>
/// <param name="BytesToServer">Bytes counted so far, Source → Destination.</param>
/// <param name="PacketsToClient">Packets counted so far, Destination → Source.</param>
/// <param name="BytesToClient">Bytes counted so far, Destination → Source.</param>
public readonly record struct RestoredBypassedFlow(
    FlowTuple Flow,
    long PacketsToServer,
    long BytesToServer,
    long PacketsToClient,
    long BytesToClient);
