// Shared plugin-test fixtures (tests/Shared/Plugins), linked into Capture.Hosting.Tests and
// Detect.Sample.Tests: plugin trees laid out as a umask-022 install would, and real chown.
using System.Runtime.InteropServices;

namespace Capture.Tests.Plugins;

/// <summary>Copies built plugins into test directories and changes their owners for real.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class PluginFiles
{
    /// <summary>The uid of <c>nobody</c>: a user that is neither root nor the test runner.</summary>
    public const uint Nobody = 65534;

    /// <summary>rwxr-xr-x, what umask 022 gives a directory.</summary>
    public const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    /// <summary>rw-r--r--, what umask 022 gives a file.</summary>
    public const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;

    /// <summary>Copies a plugin directory to <paramref name="target"/>, directories 0755 and files 0644.</summary>
    public static string Copy(string source, string target)
    {
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException($"the built plugin {source} is missing; build the test project first");
        }

        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, DirectoryMode);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(source, file));
            string directory = Path.GetDirectoryName(destination)!;
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                File.SetUnixFileMode(directory, DirectoryMode);
            }

            File.Copy(file, destination);
            File.SetUnixFileMode(destination, FileMode);
        }

        return target;
    }

    /// <summary>A private directory under /tmp (0700, ours; /tmp is sticky and root's, which the trust policy accepts as an ancestor).</summary>
    public static string CreatePrivateDirectory(string prefix)
    {
        string path = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Gives a path to another owner (needs root, which the test runner is).</summary>
    public static void ChangeOwner(string path, uint uid)
    {
        if (Chown(path, uid, uint.MaxValue) != 0)
        {
            throw new InvalidOperationException($"chown {uid} {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}; the plugin trust tests run as root");
        }
    }

    /// <summary>Writes a file of the given mode.</summary>
    public static string Write(string path, string text, UnixFileMode mode)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>A mode written as chmod takes it: <c>"1777"</c>.</summary>
    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
