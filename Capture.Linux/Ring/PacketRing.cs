using System.Diagnostics;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using Capture.Linux.Native;

namespace Capture.Linux.Ring;

/// <summary>
/// One open packet socket and its mmap'd ring: TPACKET_V3 blocks, or TPACKET_V2 frames
/// (<see cref="PacketRingOptions.FrameRing"/>). A slot is a block (V3) or a frame (V2); each has
/// its status word the kernel sets when it hands the slot to user space. The capture thread takes
/// ready slots in ring order (V2: runs of consecutive ready frames); the engine gives them back in
/// any order. The mapping lives until the ring is retired AND every slot handed out has been given
/// back, so batches stay valid after a stop or an interface change.
/// </summary>
internal sealed unsafe class PacketRing
{
    private const int BlockStatusOffset = 8;
    private const int FrameStatusOffset = 0;
    private const uint StatusUser = 1;

    private readonly PacketSocketHandle _socket;
    private readonly RingMappingHandle _mapping;
    private readonly byte* _base;
    private readonly int[] _out;
    private readonly int _statusOffset;
    private readonly ManualResetEventSlim _returned = new(false, spinCount: 0);
    private int _references = 1;
    private int _next;

    private PacketRing(PacketRingOptions settings, PacketSocketHandle socket, RingMappingHandle mapping, int interfaceIndex, LinkType linkType)
    {
        Options = settings;
        _socket = socket;
        _mapping = mapping;
        _base = (byte*)mapping.Address;
        _out = new int[settings.FrameRing ? settings.FrameCount : settings.BlockCount];
        _statusOffset = settings.FrameRing ? FrameStatusOffset : BlockStatusOffset;
        InterfaceIndex = interfaceIndex;
        LinkType = linkType;
    }

    /// <summary>The options the ring was opened with.</summary>
    public PacketRingOptions Options { get; }

    /// <summary>The interface index bound at open (a recreated interface gets a new one).</summary>
    public int InterfaceIndex { get; }

    /// <summary>How the interface's frames start.</summary>
    public LinkType LinkType { get; }

    /// <summary>Slots in the ring: blocks (V3) or frames (V2).</summary>
    public int SlotCount => _out.Length;

    /// <summary>Whether the ring is a TPACKET_V2 ring of frames.</summary>
    public bool FrameRing => Options.FrameRing;

    /// <summary>Whether the ring has been retired (socket closed).</summary>
    public bool IsRetired { get; private set; }

    /// <summary>
    /// Opens a socket on the settings' interface: version, filter, buffer, ring, mmap, bind,
    /// promiscuous membership, fanout — in the order the kernel requires.
    /// </summary>
    /// <exception cref="CaptureException">The interface is missing or the kernel refused a step; the message names both.</exception>
    public static PacketRing Open(PacketRingOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string name = settings.InterfaceName;
        uint index = LinuxPacket.IfNameToIndex(name);
        if (index == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new CaptureException($"af-packet: interface '{name}' not found: {LinuxPacket.Describe(errno)}");
        }

        // Protocol 0: the socket receives nothing until it is bound to this one interface.
        int fd = LinuxPacket.Socket(LinuxPacket.AfPacket, LinuxPacket.SockRaw, 0);
        if (fd < 0)
        {
            throw Failure(name, "socket(AF_PACKET)");
        }

        var socket = new PacketSocketHandle(fd);
        RingMappingHandle? mapping = null;
        try
        {
            int version = settings.FrameRing ? LinuxPacket.TPacketV2 : LinuxPacket.TPacketV3;
            SetOption(socket, name, LinuxPacket.SolPacket, LinuxPacket.PacketVersion, &version, sizeof(int),
                settings.FrameRing ? "PACKET_VERSION TPACKET_V2" : "PACKET_VERSION TPACKET_V3");

            if (settings.SocketFilter is { Length: > 0 } filter)
            {
                fixed (byte* instructions = filter)
                {
                    var program = new LinuxPacket.SockFprog { Length = checked((ushort)(filter.Length / 8)), Filter = (nint)instructions };
                    SetOption(socket, name, LinuxPacket.SolSocket, LinuxPacket.SoAttachFilter, &program, (uint)sizeof(LinuxPacket.SockFprog), "SO_ATTACH_FILTER (bpf-filter)");
                }
            }

            if (settings.ReceiveBufferSize > 0)
            {
                int size = settings.ReceiveBufferSize;
                SetOption(socket, name, LinuxPacket.SolSocket, LinuxPacket.SoRcvBuf, &size, sizeof(int), "SO_RCVBUF (buffer-size)");
            }

            if (settings.FrameRing)
            {
                var frames = new LinuxPacket.TPacketReq
                {
                    BlockSize = (uint)settings.BlockSize,
                    BlockCount = (uint)settings.BlockCount,
                    FrameSize = (uint)settings.FrameSize,
                    FrameCount = (uint)settings.FrameCount,
                };
                SetOption(socket, name, LinuxPacket.SolPacket, LinuxPacket.PacketRxRing, &frames, (uint)sizeof(LinuxPacket.TPacketReq),
                    $"PACKET_RX_RING (TPACKET_V2, {settings.FrameCount} frames of {settings.FrameSize} bytes in blocks of {settings.BlockSize})");
            }
            else
            {
                var request = new LinuxPacket.TPacketReq3
                {
                    BlockSize = (uint)settings.BlockSize,
                    BlockCount = (uint)settings.BlockCount,
                    FrameSize = (uint)settings.FrameSize,
                    FrameCount = (uint)settings.FrameCount,
                    RetireBlockTimeoutMilliseconds = (uint)settings.BlockTimeoutMilliseconds,
                };
                SetOption(socket, name, LinuxPacket.SolPacket, LinuxPacket.PacketRxRing, &request, (uint)sizeof(LinuxPacket.TPacketReq3),
                    $"PACKET_RX_RING ({settings.BlockCount} blocks of {settings.BlockSize} bytes)");
            }

            int flags = LinuxPacket.MapShared | (settings.MmapLocked ? LinuxPacket.MapLocked : 0);
            nint address = LinuxPacket.Mmap(0, (nuint)settings.RingBytes, LinuxPacket.ProtRead | LinuxPacket.ProtWrite, flags, fd, 0);
            if (address == -1)
            {
                throw Failure(name, $"mmap of the {settings.RingBytes}-byte ring{(settings.MmapLocked ? " (mmap-locked)" : string.Empty)}");
            }

            mapping = new RingMappingHandle(address, (nuint)settings.RingBytes);

            var link = new LinuxPacket.SockAddrLl
            {
                Family = LinuxPacket.AfPacket,
                Protocol = LinuxPacket.EthPAllNetworkOrder,
                InterfaceIndex = (int)index,
            };
            if (LinuxPacket.Bind(fd, &link, (uint)sizeof(LinuxPacket.SockAddrLl)) != 0)
            {
                throw Failure(name, "bind");
            }

            if (settings.Promiscuous)
            {
                var membership = new LinuxPacket.PacketMreq { InterfaceIndex = (int)index, Type = LinuxPacket.PacketMrPromisc };
                SetOption(socket, name, LinuxPacket.SolPacket, LinuxPacket.PacketAddMembership, &membership, (uint)sizeof(LinuxPacket.PacketMreq), "PACKET_ADD_MEMBERSHIP promiscuous");
            }

            if (settings.Fanout)
            {
                int argument = settings.ClusterId | (((int)settings.FanoutMode | (settings.Defrag ? 0x8000 : 0)) << 16);
                SetOption(socket, name, LinuxPacket.SolPacket, LinuxPacket.PacketFanout, &argument, sizeof(int),
                    $"PACKET_FANOUT (cluster-id {settings.ClusterId}, {settings.FanoutMode}; another group with this id but other settings or interface exists?)");
            }

            return new PacketRing(settings, socket, mapping, (int)index, ReadLinkType(name));
        }
        catch
        {
            mapping?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the next block if the kernel has retired it to user space; it counts as handed out until <see cref="ReturnBlock"/>.
    /// </summary>
    /// <param name="block">The block's index.</param>
    /// <param name="waitingForEngine">True when the next block is still held by the engine (nothing to poll for).</param>
    public bool TryTakeBlock(out int block, out bool waitingForEngine)
    {
        block = _next;

        // Read "out" before the status: a returning block writes status 0 before clearing "out".
        if (Volatile.Read(ref _out[block]) != 0)
        {
            waitingForEngine = true;
            return false;
        }

        waitingForEngine = false;
        if ((SlotStatus(block) & StatusUser) == 0)
        {
            return false;
        }

        Volatile.Write(ref _out[block], 1);
        Interlocked.Increment(ref _references);
        _returned.Reset();
        _next = block + 1 == _out.Length ? 0 : block + 1;
        return true;
    }

    /// <summary>
    /// TPACKET_V2: takes the run of consecutive frames the kernel has written, from the next one, at
    /// most <paramref name="maxFrames"/> and never past the ring's end; the run counts as one hand-out
    /// until <see cref="ReturnFrames"/>.
    /// </summary>
    /// <param name="maxFrames">The longest run to take.</param>
    /// <param name="first">The run's first frame.</param>
    /// <param name="count">Frames in the run.</param>
    /// <param name="waitingForEngine">True when the next frame is still held by the engine (nothing to poll for).</param>
    public bool TryTakeFrames(int maxFrames, out int first, out int count, out bool waitingForEngine)
    {
        Debug.Assert(FrameRing, "frames are taken from a TPACKET_V2 ring only");
        first = _next;
        count = 0;
        if (Volatile.Read(ref _out[first]) != 0)
        {
            waitingForEngine = true;
            return false;
        }

        waitingForEngine = false;
        int limit = Math.Min(maxFrames, _out.Length - first);
        while (count < limit && Volatile.Read(ref _out[first + count]) == 0 && (SlotStatus(first + count) & StatusUser) != 0)
        {
            Volatile.Write(ref _out[first + count], 1);
            count++;
        }

        if (count == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _references);
        _returned.Reset();
        _next = first + count == _out.Length ? 0 : first + count;
        return true;
    }

    /// <summary>Whether the next slot has been handed to user space and not yet taken.</summary>
    public bool IsNextReady => Volatile.Read(ref _out[_next]) == 0 && (SlotStatus(_next) & StatusUser) != 0;

    /// <summary>The start of a block in the mapping.</summary>
    public byte* BlockAddress(int block) => _base + ((long)block * Options.BlockSize);

    /// <summary>TPACKET_V2: a frame's offset in the mapping.</summary>
    public long FrameOffset(int frame) => FrameReader.Offset(Options, frame);

    /// <summary>TPACKET_V2: the start of the mapping, which frame batches share as their buffer.</summary>
    public byte* Base => _base;

    /// <summary>A block's bytes.</summary>
    public ReadOnlySpan<byte> BlockSpan(int block) => new(BlockAddress(block), Options.BlockSize);

    /// <summary>The block's status word (TP_STATUS_* bits).</summary>
    public uint BlockStatus(int block) => Volatile.Read(ref *(uint*)(BlockAddress(block) + BlockStatusOffset));

    /// <summary>A slot's status word: the block's (V3) or the frame's (V2).</summary>
    private uint SlotStatus(int slot) => Volatile.Read(ref *(uint*)(_base + (FrameRing ? FrameOffset(slot) : (long)slot * Options.BlockSize) + _statusOffset));

    /// <summary>Gives a block back to the kernel (any order). Safe from any thread, also after retirement.</summary>
    public void ReturnBlock(int block)
    {
        Volatile.Write(ref *(uint*)(BlockAddress(block) + BlockStatusOffset), 0u);
        Volatile.Write(ref _out[block], 0);
        _returned.Set();
        DropReference();
    }

    /// <summary>TPACKET_V2: gives a run of frames back to the kernel (any order). Safe from any thread, also after retirement.</summary>
    public void ReturnFrames(int first, int count)
    {
        for (int frame = first; frame < first + count; frame++)
        {
            Volatile.Write(ref *(uint*)(_base + FrameOffset(frame) + FrameStatusOffset), 0u);
            Volatile.Write(ref _out[frame], 0);
        }

        _returned.Set();
        DropReference();
    }

    /// <summary>Waits until a block is given back (or the timeout passes).</summary>
    public void WaitForReturn(int timeoutMilliseconds) => _returned.Wait(timeoutMilliseconds);

    /// <summary>
    /// poll() reports POLLIN while the slot before the kernel's current one is still with user
    /// space, even when nothing new is ready: then wait for the engine to give a block back instead
    /// of polling in a loop.
    /// </summary>
    public void WaitForAnyReturn(int timeoutMilliseconds)
    {
        _returned.Reset();
        if (Volatile.Read(ref _references) > 1)
        {
            _returned.Wait(timeoutMilliseconds);
        }
    }

    /// <summary>Waits for the socket to have a block ready or an error.</summary>
    /// <param name="timeoutMilliseconds">How long at most.</param>
    /// <param name="revents">The poll result bits.</param>
    /// <param name="errno">errno when the result is negative.</param>
    /// <returns>poll()'s result.</returns>
    public int Poll(int timeoutMilliseconds, out short revents, out int errno)
    {
        var fd = new LinuxPacket.PollFd { Fd = _socket.Fd, Events = LinuxPacket.PollIn | LinuxPacket.PollErr };
        int result = LinuxPacket.Poll(&fd, 1, timeoutMilliseconds);
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        revents = fd.Revents;
        return result;
    }

    /// <summary>Reads and clears the socket's pending error (SO_ERROR).</summary>
    public int TakeSocketError()
    {
        int error = 0;
        uint length = sizeof(int);
        return LinuxPacket.GetSockOpt(_socket.Fd, LinuxPacket.SolSocket, LinuxPacket.SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    /// <summary>Reads PACKET_STATISTICS (which the kernel resets on every read).</summary>
    public bool TryReadStatistics(out uint packets, out uint drops)
    {
        LinuxPacket.TPacketStatsV3 stats = default;
        uint length = (uint)sizeof(LinuxPacket.TPacketStatsV3);
        if (IsRetired || LinuxPacket.GetSockOpt(_socket.Fd, LinuxPacket.SolPacket, LinuxPacket.PacketStatistics, &stats, &length) != 0)
        {
            packets = 0;
            drops = 0;
            return false;
        }

        packets = stats.Packets;
        drops = stats.Drops;
        return true;
    }

    /// <summary>Closes the socket; the mapping follows when the last handed-out block comes back.</summary>
    public void Retire()
    {
        if (IsRetired)
        {
            return;
        }

        IsRetired = true;
        _socket.Dispose();
        _returned.Set();
        DropReference();
    }

    private void DropReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _mapping.Dispose();
            _returned.Dispose();
        }
    }

    private static void SetOption(PacketSocketHandle socket, string name, int level, int option, void* value, uint length, string what)
    {
        if (LinuxPacket.SetSockOpt(socket.Fd, level, option, value, length) != 0)
        {
            throw Failure(name, what);
        }
    }

    private static CaptureException Failure(string name, string what) =>
        new($"af-packet: interface '{name}': {what} failed: {LinuxPacket.Describe(Marshal.GetLastPInvokeError())}");

    private static LinkType ReadLinkType(string name)
    {
        // ARPHRD_* of the interface: Ethernet framing for ether and loopback, raw IP for tun-like devices.
        try
        {
            string text = File.ReadAllText($"/sys/class/net/{name}/type").Trim();
            return text switch
            {
                "65534" or "778" or "776" => LinkType.Raw,
                _ => LinkType.Ethernet,
            };
        }
        catch (IOException)
        {
            return LinkType.Ethernet;
        }
    }
}
