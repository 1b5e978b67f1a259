using System.Runtime.InteropServices;

namespace Capture.Libpcap.Sources;

/// <summary><c>poll(2)</c> on one descriptor: the reader's wait for libpcap's ring.</summary>
internal static unsafe partial class DescriptorPoll
{
    private const short PollIn = 0x001;

    /// <summary>Waits until the descriptor is readable or has an error (libpcap reports which), or the timeout passes.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="timeoutMilliseconds">How long to wait at most.</param>
    public static void Wait(int descriptor, int timeoutMilliseconds)
    {
        // Interrupted or failed polls just end this wait early: the next read reports what is wrong.
        PollDescriptor entry = new() { Descriptor = descriptor, Events = PollIn };
        _ = Poll(&entry, 1, timeoutMilliseconds);
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollDescriptor* descriptors, nuint count, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }
}
