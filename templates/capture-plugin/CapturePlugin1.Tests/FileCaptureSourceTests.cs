using Capture.Abstractions;
using Capture.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace CapturePlugin1.Tests;

/// <summary>What the conformance suite does not cover: this plugin's own input and its errors.</summary>
public sealed class FileCaptureSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("capture-plugin-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_capture_cut_inside_a_record_delivers_the_whole_records_and_counts_one_error()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(10, seed: 7);
        string path = Path.Combine(_directory, "cut.pcap");
        PcapFileWriter.Write(path, frames);
        using (FileStream file = File.OpenWrite(path))
        {
            file.SetLength(file.Length - 5);
        }

        (List<byte[]> received, CaptureStatistics statistics) = await ReadAllAsync(path);

        Assert.Equal(frames.Count - 1, received.Count);
        Assert.Equal(frames.Take(frames.Count - 1), received);
        Assert.Equal(frames.Count - 1, statistics.PacketsReceived);
        Assert.Equal(1, statistics.Errors);
    }

    [Fact]
    public async Task A_file_that_is_not_a_pcap_file_fails_the_start_naming_it()
    {
        string path = Path.Combine(_directory, "text.pcap");
        await File.WriteAllTextAsync(path, "this is not a capture file, it only pretends");

        CaptureException error = await Assert.ThrowsAsync<CaptureException>(() => ReadAllAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a classic pcap file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_file_is_refused_with_what_to_give()
    {
        (ServiceProvider services, ICaptureSourceFactory factory) = PluginHarness.Load(ConfigNode.CreateMapping());
        using (services)
        {
            CaptureException error = Assert.Throws<CaptureException>(() => factory.CreateSources(new CaptureSourceRequest { Configuration = ConfigNode.CreateMapping(), Services = services }));
            Assert.Contains("-r <file>", error.Message, StringComparison.Ordinal);
        }
    }

    private static async Task<(List<byte[]> Frames, CaptureStatistics Statistics)> ReadAllAsync(string path)
    {
        (ServiceProvider services, ICaptureSourceFactory factory) = PluginHarness.Load(ConfigNode.CreateMapping());
        await using (services)
        {
            ICaptureSource source = factory.CreateSources(new CaptureSourceRequest { Target = path, Configuration = ConfigNode.CreateMapping(), Services = services })[0];
            await using (source)
            {
                await source.StartAsync(CancellationToken.None);
                var frames = new List<byte[]>();
                await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
                {
                    foreach (PacketRecord record in batch.Packets)
                    {
                        frames.Add(batch.GetPacketData(record).ToArray());
                    }

                    batch.Release();
                }

                return (frames, source.GetStatistics());
            }
        }
    }
}
