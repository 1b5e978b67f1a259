using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Benchmarks.Decode;

/// <summary>
/// The shared test captures (../shared/pcaps beside the repository, or $CAPTURE_SHARED_PCAPS) read
/// into memory as one buffer plus records, the way a capture batch holds them. Only link types the
/// decoder handles are kept. A minimal pcap/pcapng reader: the real one is the pcap plugin's.
/// </summary>
public sealed class BenchCaptureSet
{
    private static readonly HashSet<ushort> DecodedLinkTypes = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

    private BenchCaptureSet(byte[] buffer, PacketRecord[] records, int files)
    {
        Buffer = buffer;
        Records = records;
        Files = files;
    }

    /// <summary>All packets' bytes, back to back.</summary>
    public byte[] Buffer { get; }

    /// <summary>One record per packet (offset and length into <see cref="Buffer"/>).</summary>
    public PacketRecord[] Records { get; }

    /// <summary>Capture files read.</summary>
    public int Files { get; }

    /// <summary>Finds the shared captures folder or explains where it looked.</summary>
    public static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("CAPTURE_SHARED_PCAPS");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Capture.sln")))
                {
                    string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "pcaps"));
                    if (Directory.Exists(path))
                    {
                        return path;
                    }
                }
            }
        }

        throw new DirectoryNotFoundException("shared captures not found: set CAPTURE_SHARED_PCAPS or run inside the repository checkout (../shared/pcaps)");
    }

    /// <summary>Reads every capture under <paramref name="directory"/> (the default: <see cref="Locate"/>).</summary>
    public static BenchCaptureSet Load(string? directory = null)
    {
        directory ??= Locate();
        var buffer = new MemoryStream();
        var records = new List<PacketRecord>();
        int files = 0;
        foreach (string path in Directory.EnumerateFiles(directory, "*.pcap*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files++;
            byte[] file = File.ReadAllBytes(path);
            if (file.Length < 24)
            {
                continue;
            }

            foreach ((ushort link, long ns, int start, int length, int original) in Packets(file))
            {
                if (!DecodedLinkTypes.Contains(link))
                {
                    continue;
                }

                records.Add(new PacketRecord
                {
                    TimestampNanoseconds = ns,
                    Offset = (int)buffer.Length,
                    CaptureLength = length,
                    OriginalLength = Math.Max(length, original),
                    LinkType = link is 12 or 14 ? LinkType.Raw : (LinkType)link,
                });
                buffer.Write(file, start, length);
            }
        }

        return new BenchCaptureSet(buffer.ToArray(), [.. records], files);
    }

    private static IEnumerable<(ushort Link, long Ns, int Start, int Length, int Original)> Packets(byte[] file)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        if (magic == 0x0A0D0D0A)
        {
            bool big = false;
            var links = new List<ushort>();
            int offset = 0;
            while (offset + 12 <= file.Length)
            {
                uint type = U32(file, offset, big);
                if (type == 0x0A0D0D0A)
                {
                    big = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8)) != 0x1A2B3C4D;
                    links.Clear();
                }

                uint length = U32(file, offset + 4, big);
                if (length < 12 || length > file.Length - offset)
                {
                    yield break;
                }

                int body = offset + 8;
                int bodyLength = (int)length - 12;
                if (type == 1 && bodyLength >= 8)
                {
                    links.Add((ushort)(big ? BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(body)) : BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(body))));
                }
                else if (type == 6 && bodyLength >= 20)
                {
                    int id = (int)U32(file, body, big);
                    int captured = (int)Math.Min(U32(file, body + 12, big), (uint)(bodyLength - 20));
                    if (id < links.Count)
                    {
                        long units = (long)((ulong)U32(file, body + 4, big) << 32 | U32(file, body + 8, big));
                        yield return (links[id], units * 1000, body + 20, captured, (int)Math.Min(U32(file, body + 16, big), int.MaxValue));
                    }
                }

                offset += (int)length;
            }

            yield break;
        }

        bool bigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        bool nano = magic is 0xA1B23C4D or 0x4D3CB2A1;
        if (!bigEndian && !nano && magic != 0xA1B2C3D4)
        {
            yield break;
        }

        ushort linkType = (ushort)U32(file, 20, bigEndian);
        int at = 24;
        while (at + 16 <= file.Length)
        {
            long seconds = U32(file, at, bigEndian);
            long fraction = U32(file, at + 4, bigEndian);
            uint captured = U32(file, at + 8, bigEndian);
            uint original = U32(file, at + 12, bigEndian);
            at += 16;
            if (captured > file.Length - at)
            {
                yield break;
            }

            yield return (linkType, seconds * 1_000_000_000 + (nano ? fraction : fraction * 1000), at, (int)captured, (int)Math.Min(original, int.MaxValue));
            at += (int)captured;
        }
    }

    private static uint U32(byte[] d, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(offset));
}
