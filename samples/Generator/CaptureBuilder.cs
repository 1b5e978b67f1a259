namespace Samples.Generator;

/// <summary>Collects frames of interleaved conversations and writes them in time order.</summary>
internal sealed class CaptureBuilder
{
    private readonly List<(long Time, int Order, byte[] Frame)> _frames = [];

    public int Count => _frames.Count;

    public long Bytes { get; private set; }

    public void Add(long timeMicroseconds, byte[] frame)
    {
        _frames.Add((timeMicroseconds, _frames.Count, frame));
        Bytes += frame.Length;
    }

    public void WriteTo(PcapWriter writer)
    {
        foreach ((long time, _, byte[] frame) in _frames.OrderBy(f => f.Time).ThenBy(f => f.Order))
        {
            writer.Write(time, frame);
        }
    }
}
