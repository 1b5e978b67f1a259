using System.Diagnostics;
using System.Globalization;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Capture.AfPacket.Bench;

/// <summary>
/// <c>afpacket-bench sharppcap-read</c>: SharpPcap's two ways to take the next packet, on the same veth
/// traffic, with the bytes each allocates on the reading thread (<c>GC.GetAllocatedBytesForCurrentThread</c>):
/// <c>GetNextPacket(out PacketCapture)</c>, which makes a <c>PcapHeader</c> object per packet, and
/// <c>GetNextPacketPointers</c>, which the pcap plugin reads through.
/// </summary>
internal static class SharpPcapReadLoop
{
    public static int Run(string[] args)
    {
        long packets = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        using var network = new BenchNetwork();
        Console.WriteLine($"# SharpPcap reads on veth, {packets} x 60-byte UDP frames per run, trafgen at 100000 pps, libpcap {Pcap.LibpcapVersion}");
        Console.WriteLine();
        Console.WriteLine("| API | round | packets read | allocated on the reading thread, B/pkt | reading thread CPU ns/pkt |");
        Console.WriteLine("|---|---|---|---|---|");
        for (int round = 1; round <= 3; round++)
        {
            foreach (bool pointers in round % 2 == 1 ? new[] { false, true } : [true, false])
            {
                (long read, long allocated, double cpu) = ReadAll(packets, pointers);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(pointers ? "GetNextPacketPointers" : "GetNextPacket(out PacketCapture)")} | {round} | {read} | {(double)allocated / Math.Max(1, read):0.00} | {cpu * 1e9 / Math.Max(1, read):0} |"));
            }
        }

        return 0;
    }

    private static (long Read, long Allocated, double Cpu) ReadAll(long packets, bool pointers)
    {
        PcapInterface pcapInterface = PcapInterface.GetAllPcapInterfaces().First(i => i.Name == BenchNetwork.HostInterface);
        using var device = new LibPcapLiveDevice(pcapInterface);
        device.Open(new DeviceConfiguration { Mode = DeviceModes.Promiscuous, ReadTimeout = 10, BufferSize = 64 << 20, Snaplen = 1526 });
        Task sender = Task.Run(() => TrafficGenerator.Send(packets, 100_000));
        long read = 0;
        long sum = 0;
        IntPtr header = IntPtr.Zero;
        IntPtr data = IntPtr.Zero;
        TimeSpan cpuBefore = CurrentThreadCpu();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var idle = Stopwatch.StartNew();
        while (read < packets && idle.Elapsed < TimeSpan.FromSeconds(3))
        {
            if (pointers)
            {
                if (device.GetNextPacketPointers(ref header, ref data) == 1)
                {
                    unsafe
                    {
                        sum += *(byte*)data;
                    }

                    read++;
                    idle.Restart();
                }
            }
            else if (device.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
            {
                sum += capture.Data[0] + (long)capture.Header.Timeval.Seconds;
                read++;
                idle.Restart();
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double cpu = (CurrentThreadCpu() - cpuBefore).TotalSeconds;
        sender.Wait();
        GC.KeepAlive(sum);
        return (read, allocated, cpu);
    }

    private static TimeSpan CurrentThreadCpu()
    {
        // utime + stime of this thread, in clock ticks (100 per second).
        string[] fields = File.ReadAllText($"/proc/self/task/{GetTid()}/stat").Split(") ")[1].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();
}
