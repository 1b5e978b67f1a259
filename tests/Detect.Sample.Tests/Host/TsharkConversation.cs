namespace Detect.Sample.Tests.Host;

/// <summary>One row of tshark's <c>-z conv,tcp|udp</c>: frames and bytes each way between endpoints A and B.</summary>
/// <param name="A">Endpoint A, "address:port".</param>
/// <param name="B">Endpoint B.</param>
/// <param name="FramesAToB">Frames A → B.</param>
/// <param name="BytesAToB">Bytes A → B as tshark printed them (exact only with the unit "bytes").</param>
/// <param name="FramesBToA">Frames B → A.</param>
/// <param name="BytesBToA">Bytes B → A.</param>
/// <param name="BytesExact">Whether both byte counts were printed in bytes (not kB/MB).</param>
internal sealed record TsharkConversation(string Protocol, string A, string B, long FramesAToB, double BytesAToB, long FramesBToA, double BytesBToA, bool BytesExact)
{
    public long Frames => FramesAToB + FramesBToA;
}
