using Capture.Abstractions;

namespace FlowEngine.Tests.Decode;

/// <summary>One packet read by <see cref="TestCaptureReader"/>.</summary>
internal sealed record TestCapturePacket(PacketRecord Record, byte[] Data);
