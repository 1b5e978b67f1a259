using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace Capture.Linux.Filter;

/// <summary>
/// Compiles a pcap filter expression (<c>bpf-filter</c>) to classic BPF with the system's libpcap,
/// loaded at run time so that capture without a filter does not need libpcap at all.
/// </summary>
internal static unsafe class PcapFilterCompiler
{
    private const int DltEthernet = 1;
    private const int DltRaw = 12;
    private const uint NetmaskUnknown = 0xffffffff;
    private static readonly string[] LibraryNames = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"];
    private static readonly Lock CompileLock = new();
    private static nint _library;

    /// <summary>Compiles <paramref name="expression"/> for frames of <paramref name="linkType"/>.</summary>
    /// <returns>The program: 8-byte sock_filter instructions, ready for SO_ATTACH_FILTER.</returns>
    /// <exception cref="CaptureException">libpcap is missing.</exception>
    /// <exception cref="ConfigurationException">The expression does not compile; the message has libpcap's reason.</exception>
    public static byte[] Compile(string expression, LinkType linkType, string interfaceName, string location)
    {
        ArgumentNullException.ThrowIfNull(expression);
        lock (CompileLock)
        {
            nint library = Load(interfaceName);
            var openDead = (delegate* unmanaged<int, int, nint>)NativeLibrary.GetExport(library, "pcap_open_dead");
            var compile = (delegate* unmanaged<nint, BpfProgram*, byte*, int, uint, int>)NativeLibrary.GetExport(library, "pcap_compile");
            var freeCode = (delegate* unmanaged<BpfProgram*, void>)NativeLibrary.GetExport(library, "pcap_freecode");
            var getError = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "pcap_geterr");
            var close = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "pcap_close");

            nint pcap = openDead(linkType == LinkType.Raw ? DltRaw : DltEthernet, 65535);
            if (pcap == 0)
            {
                throw new CaptureException($"af-packet: interface '{interfaceName}': libpcap's pcap_open_dead failed");
            }

            try
            {
                byte[] text = System.Text.Encoding.UTF8.GetBytes(expression + "\0");
                BpfProgram program = default;
                fixed (byte* textPointer = text)
                {
                    if (compile(pcap, &program, textPointer, 1, NetmaskUnknown) != 0)
                    {
                        string reason = Marshal.PtrToStringUTF8((nint)getError(pcap)) ?? "unknown error";
                        throw new ConfigurationException($"{location}: af-packet.{interfaceName}.bpf-filter: '{expression}' does not compile: {reason}");
                    }
                }

                try
                {
                    byte[] instructions = new byte[checked((int)program.Length * 8)];
                    new ReadOnlySpan<byte>((void*)program.Instructions, instructions.Length).CopyTo(instructions);
                    return instructions;
                }
                finally
                {
                    freeCode(&program);
                }
            }
            finally
            {
                close(pcap);
            }
        }
    }

    private static nint Load(string interfaceName)
    {
        if (_library != 0)
        {
            return _library;
        }

        foreach (string name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
            {
                _library = handle;
                return handle;
            }
        }

        throw new CaptureException(
            $"af-packet: interface '{interfaceName}': bpf-filter needs libpcap to compile the expression, and libpcap.so.0.8 was not found; install it with 'apt-get install libpcap0.8'");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BpfProgram
    {
        public uint Length;
        public nint Instructions;
    }
}
