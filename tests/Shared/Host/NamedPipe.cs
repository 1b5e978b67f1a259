// Shared host-test fixtures (tests/Shared/Host). This file: FIFOs for inputs and outputs.
using System.Runtime.InteropServices;

namespace Capture.Tests.Host;

/// <summary>Creates named pipes (FIFOs), which .NET has no call for.</summary>
public static partial class NamedPipe
{
    /// <summary>Creates a FIFO readable and writable by its owner.</summary>
    /// <exception cref="InvalidOperationException">mkfifo failed; the message says why.</exception>
    public static void Create(string path)
    {
        if (MakeFifo(path, 0x180 /* 0600 */) != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);
}
