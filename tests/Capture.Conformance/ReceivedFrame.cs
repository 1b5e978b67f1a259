using Capture.Abstractions;

namespace Capture.Conformance;

/// <summary>A delivered packet, copied out of its batch.</summary>
/// <param name="SourceIndex">Which source of the scenario delivered it.</param>
/// <param name="BatchNumber">Which batch of that source (0-based).</param>
/// <param name="Record">The packet's record.</param>
/// <param name="Data">The captured bytes, with a tag the capture stripped put back (see <see cref="PacketFlags.VlanTciValid"/>).</param>
public sealed record ReceivedFrame(int SourceIndex, int BatchNumber, PacketRecord Record, byte[] Data);
