using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Lifecycle;

/// <summary>
/// A capture of 1,200,000 UDP packets round-robin over 100,000 flows, written once for the stop
/// tests: every packet read up to 100,000 is a new flow, so a stop has many flows to end and log.
/// </summary>
public sealed class LargeCaptureFixture : IDisposable
{
    public const int Packets = 1_200_000;
    public const int Flows = 100_000;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("detect-large-");

    public LargeCaptureFixture()
    {
        Path = System.IO.Path.Combine(_directory.FullName, "large.pcap");
        UdpFlowCapture.WriteFile(Path, Packets, Flows);
    }

    public string Path { get; }

    public void Dispose() => _directory.Delete(recursive: true);
}
