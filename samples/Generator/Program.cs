using Samples.Generator;

// Writes the sample capture: `dotnet run --project samples/Generator [-- <output.pcap>]`.
// Without an argument the file goes to samples/sample.pcap of the repository.
string output = args.Length > 0 ? args[0] : Path.Combine(FindRepositoryRoot(), "samples", "sample.pcap");
var capture = new CaptureBuilder();
new TrafficMix(capture).Generate();
using (FileStream stream = File.Create(output))
using (var writer = new PcapWriter(stream))
{
    capture.WriteTo(writer);
}

Console.WriteLine($"wrote {output}: {capture.Count} packets, {capture.Bytes} bytes of frames");
return 0;

static string FindRepositoryRoot()
{
    for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Capture.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository, or pass the output path");
}
