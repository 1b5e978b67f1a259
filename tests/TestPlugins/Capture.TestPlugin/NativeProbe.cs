using System.Runtime.InteropServices;

namespace Capture.TestPlugin;

/// <summary>
/// Calls into a native library named <c>synthz</c> that only the plugin's directory provides
/// (the tests place a zlib build there), to show native libraries resolve from the plugin folder.
/// </summary>
public static partial class NativeProbe
{
    /// <summary>The library's version string.</summary>
    /// <returns>The text zlibVersion() returns.</returns>
    public static string LibraryVersion() => Marshal.PtrToStringAnsi(ZlibVersion()) ?? string.Empty;

    [LibraryImport("synthz", EntryPoint = "zlibVersion")]
    private static partial IntPtr ZlibVersion();
}
