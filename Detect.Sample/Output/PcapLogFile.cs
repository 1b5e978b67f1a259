using System.Globalization;
using Capture.Abstractions;
using Microsoft.Win32.SafeHandles;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Detect.Sample.Output;

/// <summary>
/// One pcap file of pcap-log, written by libpcap's dump writer (SharpPcap) with nanosecond
/// timestamps, so that every packet keeps its capture time exactly. Used by the writer thread only.
/// </summary>
internal sealed class PcapLogFile : IDisposable
{
    /// <summary>The pcap file header's size: the start of a file's byte count.</summary>
    public const int HeaderSize = 24;

    /// <summary>The size of a packet's record header in the file.</summary>
    public const int RecordHeaderSize = 16;

    // LINKTYPE_RAW is 101 in files, but libpcap takes DLT numbers and Linux's DLT_RAW is 12; the
    // others this host reads have the same number in both.
    private const int DltRaw = 12;

    // The snap length in the file header: libpcap's and Wireshark's largest packet.
    private const int MaxPacketLength = 262144;

    private readonly CaptureFileWriterDevice _device;
    private readonly PcapHeader _header = new(0, 0, 0, 0);
    private readonly PosixTimeval _time;

    /// <summary>Creates the file <paramref name="name"/> in the log directory.</summary>
    /// <exception cref="IOException">It cannot be created (a link or a FIFO under that name, no space, ...); the message says why.</exception>
    public PcapLogFile(LogDirectory directory, string name, UnixFileMode mode, LinkType linkType)
    {
        Path = directory.PathOf(name);
        _time = _header.Timeval;
        using SafeFileHandle file = directory.OpenFile(name, append: false, mode);
        // libpcap opens its file by name. It is given the file opened above, through its descriptor,
        // so it writes exactly there: never through a link planted under the name, with the log's mode.
        string opened = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{file.DangerousGetHandle()}");
        _device = new CaptureFileWriterDevice(opened, FileMode.Create);
        try
        {
            _device.Open(new DeviceConfiguration
            {
                LinkLayerType = (PacketDotNet.LinkLayers)(linkType == LinkType.Raw ? DltRaw : (int)linkType),
                Snaplen = MaxPacketLength,
                TimestampResolution = TimestampResolution.Nanosecond,
            });
        }
        catch (PcapException e)
        {
            _device.Dispose();
            throw new IOException($"cannot write {Path}: {e.Message}", e);
        }
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Appends one packet.</summary>
    public void Write(long timestampNanoseconds, ReadOnlySpan<byte> bytes, int originalLength)
    {
        // One header, reused. (SharpPcap's Write itself allocates 32 B per call: this runs on the writer thread.)
        _time.Value = timestampNanoseconds / 1_000_000_000m;
        _header.CaptureLength = (uint)bytes.Length;
        _header.PacketLength = (uint)originalLength;
        PcapHeader header = _header;
        _device.Write(bytes, ref header);
    }

    public void Dispose()
    {
        _device.Close();
        _device.Dispose();
    }
}
