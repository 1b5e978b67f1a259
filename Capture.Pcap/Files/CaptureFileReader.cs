using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Pcap.Files;

/// <summary>
/// Reads the packet records of one capture file in order. Packet bytes are handed out as spans
/// into the reader's window, valid until the next call.
/// </summary>
internal abstract class CaptureFileReader : IDisposable
{
    /// <summary>No packet is longer (libpcap's and Wireshark's limit); a longer record means corruption.</summary>
    public const int MaxPacketLength = 262144;

    private const uint PcapMicroseconds = 0xa1b2c3d4;
    private const uint PcapMicrosecondsSwapped = 0xd4c3b2a1;
    private const uint PcapNanoseconds = 0xa1b23c4d;
    private const uint PcapNanosecondsSwapped = 0x4d3cb2a1;
    private const uint PcapModified = 0xa1b2cd34;
    private const uint PcapModifiedSwapped = 0x34cdb2a1;
    private const uint PcapNgSectionHeader = 0x0a0d0d0a;

    protected CaptureFileReader(string path, CaptureFileInput input)
    {
        Path = path;
        Input = input;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Whether it is a regular file (false for a pipe, whose reads wait for a writer).</summary>
    public bool IsSeekable => Input.IsSeekable;

    /// <summary>The buffer the last record's bytes were read into, which a batch may hold instead of copying them.</summary>
    public ReadChunk Chunk => Input.Chunk;

    /// <summary>"pcap", "pcap (nanoseconds)", "pcapng", ... for logs.</summary>
    public abstract string Format { get; }

    /// <summary>After <see cref="RecordStatus.Truncated"/> or <see cref="RecordStatus.Corrupt"/>: the file offset of the bad record.</summary>
    public long ProblemOffset { get; protected set; }

    /// <summary>After <see cref="RecordStatus.Truncated"/> or <see cref="RecordStatus.Corrupt"/>: what is wrong.</summary>
    public string ProblemDetail { get; protected set; } = string.Empty;

    /// <summary>The window over the file.</summary>
    protected CaptureFileInput Input { get; }

    /// <summary>Opens a capture file and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="bufferSize">Bytes per read.</param>
    /// <param name="beforeBlockingRead">Called before each read of a pipe (see <see cref="CaptureFileInput"/>).</param>
    /// <returns>The reader, positioned at the first record.</returns>
    /// <exception cref="CaptureException">The file cannot be opened or is not a capture file; the message names it.</exception>
    public static CaptureFileReader Open(string path, int bufferSize, Action? beforeBlockingRead)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CaptureException($"{path}: cannot open the capture file: {ex.Message}", ex);
        }

        var input = new CaptureFileInput(stream, bufferSize, beforeBlockingRead);
        try
        {
            if (!input.Ensure(4))
            {
                throw new CaptureException($"{path}: not a capture file: {(input.Available == 0 ? "it is empty" : "it is shorter than a file header")}");
            }

            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(input.Span);
            return magic switch
            {
                PcapMicroseconds => new ClassicPcapReader(path, input, bigEndian: false, nanoseconds: false, modified: false),
                PcapMicrosecondsSwapped => new ClassicPcapReader(path, input, bigEndian: true, nanoseconds: false, modified: false),
                PcapNanoseconds => new ClassicPcapReader(path, input, bigEndian: false, nanoseconds: true, modified: false),
                PcapNanosecondsSwapped => new ClassicPcapReader(path, input, bigEndian: true, nanoseconds: true, modified: false),
                PcapModified => new ClassicPcapReader(path, input, bigEndian: false, nanoseconds: false, modified: true),
                PcapModifiedSwapped => new ClassicPcapReader(path, input, bigEndian: true, nanoseconds: false, modified: true),
                PcapNgSectionHeader => new PcapNgReader(path, input),
                _ => throw new CaptureException($"{path}: not a pcap or pcapng file (magic number 0x{BinaryPrimitives.ReverseEndianness(magic):x8})"),
            };
        }
        catch (IOException ex)
        {
            input.Dispose();
            throw new CaptureException($"{path}: cannot read the capture file: {ex.Message}", ex);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>Whether a file starts like a pcap or pcapng file (for picking capture files out of a directory).</summary>
    /// <param name="path">The file.</param>
    /// <returns>True when its magic number is one this reader knows.</returns>
    public static bool LooksLikeCaptureFile(string path)
    {
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
            Span<byte> magic = stackalloc byte[4];
            if (RandomAccess.Read(handle, magic, 0) < 4)
            {
                return false;
            }

            return BinaryPrimitives.ReadUInt32LittleEndian(magic) is PcapMicroseconds or PcapMicrosecondsSwapped or PcapNanoseconds
                or PcapNanosecondsSwapped or PcapModified or PcapModifiedSwapped or PcapNgSectionHeader;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable: let Open report it with the cause.
            return true;
        }
    }

    /// <summary>Reads the next packet record.</summary>
    /// <param name="record">The record's metadata (on <see cref="RecordStatus.Packet"/>).</param>
    /// <param name="data">The captured bytes, valid until the next call.</param>
    /// <returns>What was read.</returns>
    public abstract RecordStatus ReadNext(ref FileRecord record, out ReadOnlySpan<byte> data);

    /// <inheritdoc />
    public void Dispose() => Input.Dispose();

    /// <summary>Records a problem at <paramref name="offset"/>.</summary>
    /// <param name="status">Truncated or Corrupt.</param>
    /// <param name="offset">File offset of the bad record.</param>
    /// <param name="detail">What is wrong.</param>
    /// <returns><paramref name="status"/>.</returns>
    protected RecordStatus Problem(RecordStatus status, long offset, string detail)
    {
        ProblemOffset = offset;
        ProblemDetail = detail;
        return status;
    }
}
