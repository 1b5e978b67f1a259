using System.Buffers.Binary;
using System.Threading.Channels;
using Capture.Abstractions;


namespace Capture.Benchmarks.Flows;

/// <summary>
/// An in-memory capture made up at start: Ethernet/IPv4 TCP and UDP flows (TCP with handshake
/// and FIN close), packets of mixed sizes, laid out in 256 KiB blocks like a TPACKET_V3 ring.
/// Each packet belongs to one of <c>window</c> flows active at a time, the window sliding over
/// all flows (window = flows gives a uniformly random flow per packet).
/// </summary>
internal sealed class GeneratedCapture : ICaptureSource
{
    private const int BlockSize = 256 * 1024;

    private GeneratedCapture(List<Block> blocks, HugePageBlock memory, long packets, long bytes, int flows)
    {
        Blocks = blocks;
        _memory = memory;
        PacketCount = packets;
        ByteCount = bytes;
        FlowCount = flows;
    }

    private readonly HugePageBlock _memory;

    public IReadOnlyList<Block> Blocks { get; }

    public long PacketCount { get; }

    public long ByteCount { get; }

    public int FlowCount { get; }

    public string Name => "generated";

    public string InterfaceName => "generated";

    public CaptureCapabilities Capabilities => CaptureCapabilities.Offline;

    public IBypassStrategy? BypassStrategy => null;

    public ChannelReader<CaptureBatch> Batches => throw new NotSupportedException("the benchmark hands blocks to the worker directly");

    public static GeneratedCapture Create(int packets, int flows, int window, int seed)
    {
        Random random = new(seed);
        window = Math.Clamp(window, 1, flows);
        int perFlow = Math.Max(4, packets / flows);
        int[] sent = new int[flows];
        int[] active = new int[window];
        for (int i = 0; i < window; i++)
        {
            active[i] = i;
        }

        int activeCount = window;
        int nextFlow = window;
        List<Block> blocks = [];
        Block block = new(BlockSize);
        long timestamp = 1_700_000_000L * 1_000_000_000L;
        long totalBytes = 0;
        int produced = 0;
        Span<byte> frame = stackalloc byte[1600];
        while (produced < packets && activeCount > 0)
        {
            int index = random.Next(activeCount);
            int flow = active[index];
            int n = sent[flow]++;
            if (sent[flow] == perFlow)
            {
                // The flow is done: a new one takes its place in the window.
                if (nextFlow < flows)
                {
                    active[index] = nextFlow++;
                }
                else
                {
                    active[index] = active[--activeCount];
                }
            }

            bool tcp = (flow % 5) != 0;
            bool toServer = n == 0 || random.Next(2) == 0;
            byte flags = 0x18;
            if (tcp)
            {
                toServer = n switch
                {
                    0 or 2 => true,
                    1 => false,
                    _ when n == perFlow - 2 => true,
                    _ when n == perFlow - 1 => false,
                    _ => toServer,
                };
                flags = n switch
                {
                    0 => 0x02,
                    1 => 0x12,
                    2 => 0x10,
                    _ when n >= perFlow - 2 => 0x11,
                    _ => 0x18,
                };
            }

            int payload = n < 3 && tcp ? 0 : random.Next(10) switch
            {
                < 5 => random.Next(0, 64),
                < 8 => random.Next(64, 512),
                _ => random.Next(512, 1400),
            };
            int length = Write(frame, flow, tcp, toServer, flags, payload);
            if (!block.TryAdd(frame[..length], timestamp))
            {
                block.Seal();
                blocks.Add(block);
                block = new Block(BlockSize);
                block.TryAdd(frame[..length], timestamp);
            }

            timestamp += 5_000;
            totalBytes += length;
            produced++;
        }

        if (block.Count > 0)
        {
            block.Seal();
            blocks.Add(block);
        }

        // The blocks move into one run of huge pages (the flow table's allocator), as a ring's few
        // megabytes stay within the TLB's reach: in 4 KiB pages, streaming 300+ MB of capture pays a
        // TLB miss every 15 packets or so, which a live ring does not.
        HugePageBlock memory = new((nuint)blocks.Count * BlockSize);
        for (int i = 0; i < blocks.Count; i++)
        {
            blocks[i].MoveTo(memory, (nuint)i * BlockSize);
        }

        return new GeneratedCapture(blocks, memory, produced, totalBytes, Math.Min(flows, nextFlow));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public CaptureStatistics GetStatistics() => new(PacketCount, ByteCount, 0, 0, 0, default);

    public ValueTask DisposeAsync()
    {
        _memory.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int Write(Span<byte> f, int flow, bool tcp, bool toServer, byte flags, int payload)
    {
        int l4 = tcp ? 20 : 8;
        int length = 14 + 20 + l4 + payload;
        f[..length].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        f[0] = 0x02;
        f[6] = 0x02;
        f[5] = toServer ? (byte)2 : (byte)1;
        f[11] = toServer ? (byte)1 : (byte)2;
        Span<byte> ip = f[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4 + payload));
        ip[8] = 64;
        ip[9] = tcp ? (byte)6 : (byte)17;
        uint client = 0x0A000000u | (uint)(flow & 0xFFFF);
        uint server = 0xC0A80000u | (uint)((flow >> 16) & 0xFF);
        ushort clientPort = (ushort)(1024 + (flow % 60000));
        ushort serverPort = tcp ? (ushort)443 : (ushort)53;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], toServer ? client : server);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], toServer ? server : client);
        Span<byte> t = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(t, toServer ? clientPort : serverPort);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], toServer ? serverPort : clientPort);
        if (tcp)
        {
            t[12] = 5 << 4;
            t[13] = flags;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(t[4..], (ushort)(8 + payload));
        }

        return length;
    }

    /// <summary>One ring block: packed frames and their records.</summary>
    internal sealed class Block(int size) : CaptureBatch
    {
        private byte[] _buffer = new byte[size];
        private unsafe byte* _native;
        private readonly List<PacketRecord> _records = [];
        private PacketRecord[] _array = [];
        private int _used;

        public int Count => _records.Count;

        public override ReadOnlySpan<PacketRecord> Packets => _array;

        public override unsafe ReadOnlySpan<byte> Buffer => _native != null ? new ReadOnlySpan<byte>(_native, size) : _buffer;

        /// <summary>Copies the block into <paramref name="memory"/> at <paramref name="offset"/>, which holds it from then on.</summary>
        public unsafe void MoveTo(HugePageBlock memory, nuint offset)
        {
            _native = memory.Start + offset;
            _buffer.CopyTo(new Span<byte>(_native, size));
            _buffer = [];
        }

        public override ICaptureSource Source => throw new NotSupportedException();

        public bool TryAdd(ReadOnlySpan<byte> frame, long timestamp)
        {
            int offset = (_used + 15) & ~15;
            if (offset + frame.Length > _buffer.Length)
            {
                return false;
            }

            frame.CopyTo(_buffer.AsSpan(offset));
            _records.Add(new PacketRecord
            {
                TimestampNanoseconds = timestamp,
                Offset = offset,
                CaptureLength = frame.Length,
                OriginalLength = frame.Length,
                LinkType = LinkType.Ethernet,
            });
            _used = offset + frame.Length;
            return true;
        }

        public void Seal() => _array = [.. _records];

        public override void Release()
        {
        }
    }
}
