using Capture.Abstractions;

namespace FlowEngine.Pipeline;

/// <summary>Counters of one capture source as the engine reports them.</summary>
/// <param name="Name">The source's name.</param>
/// <param name="InterfaceName">The interface (or file) it belongs to.</param>
/// <param name="Capture">The source's own counters.</param>
public sealed record SourceStatistics(string Name, string InterfaceName, CaptureStatistics Capture);
