using Capture.Tests.Shared;
using Samples.Generator;

namespace Detect.Sample.Tests;

public sealed class SampleGeneratorTests
{
    [Fact]
    public void The_committed_sample_is_what_the_generator_writes()
    {
        var capture = new CaptureBuilder();
        new TrafficMix(capture).Generate();
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream))
        {
            capture.WriteTo(writer);
        }

        byte[] committed = File.ReadAllBytes(Path.Combine(SharedPcaps.RepositoryRoot, "samples", "sample.pcap"));
        Assert.Equal(2264, capture.Count);
        Assert.True(committed.AsSpan().SequenceEqual(stream.ToArray()), "samples/sample.pcap differs from the generator's output: run `dotnet run --project samples/Generator`");
        Assert.True(committed.Length < 1 << 20, "the sample must stay under 1 MB");
    }
}
