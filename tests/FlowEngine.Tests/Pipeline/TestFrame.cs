using Capture.Abstractions;

namespace FlowEngine.Tests.Pipeline;

/// <summary>One frame for an in-memory capture: bytes, time, and the tuple as sent (for the capture's bypass filter).</summary>
internal sealed record TestFrame(long TimestampNanoseconds, byte[] Bytes, FlowTuple Tuple, LinkType LinkType = LinkType.Ethernet, int OriginalLength = 0);
