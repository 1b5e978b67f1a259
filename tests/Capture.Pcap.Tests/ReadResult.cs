using Capture.Abstractions;

namespace Capture.Pcap.Tests;

/// <summary>What reading a source to the end gave.</summary>
internal sealed record ReadResult(List<(PacketRecord Record, byte[] Data)> Packets, CaptureStatistics Statistics, Exception? Failure);
