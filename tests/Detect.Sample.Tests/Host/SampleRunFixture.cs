namespace Detect.Sample.Tests.Host;

/// <summary>One run of the host exactly as the README's run command does it (no capture argument), shared by a test class.</summary>
public sealed class SampleRunFixture : IDisposable
{
    public SampleRunFixture()
    {
        LogDirectory = Directory.CreateTempSubdirectory("detect-sample-").FullName;
        Result = DetectHostProcess.Run("-l", LogDirectory);
        EvePath = Path.Combine(LogDirectory, "eve.json");
    }

    internal HostResult Result { get; }

    public string LogDirectory { get; }

    public string EvePath { get; }

    internal EveLog Eve => new(EvePath);

    public void Dispose() => Directory.Delete(LogDirectory, recursive: true);
}
