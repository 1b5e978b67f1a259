using Capture.Hosting.Files;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Capture.Hosting.Plugins;

/// <summary>
/// Who may have written the code the host loads. A plugin root, each plugin directory and every
/// file and directory in it must be owned by root or the running user and not writable by group
/// or others; a sticky directory is refused there (it is a shared directory others can add
/// plugins to). Every ancestor of a root, up to <c>/</c>, must be owned by root or the running
/// user and either not writable by group or others, or sticky like <c>/tmp</c> (in a sticky
/// directory nobody else can rename or remove what we own). Each refusal is one
/// <see cref="CapturePluginException"/> naming the path, what is wrong and the command that fixes it.
/// </summary>
internal sealed partial class PluginTrustPolicy
{
    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly uint _user = GetEffectiveUserId();

    /// <summary>
    /// Resolves a plugin root to its real path (symbolic links followed, so what was checked is
    /// what is loaded) and checks it and its ancestors.
    /// </summary>
    /// <param name="root">An absolute path.</param>
    /// <param name="what">"plugin root" or "plugin directory" (a root that is one plugin).</param>
    /// <returns>The real path.</returns>
    public string CheckRoot(string root, string what)
    {
        string real = RealPath(root) ?? throw new CapturePluginException(null, root, "plugin directory does not exist");
        if (!UnixFileStatus.Read(real).IsDirectory)
        {
            throw new CapturePluginException(null, root, "not a directory");
        }

        CheckAncestors(real, null, null);
        CheckDirectory(real, what, null, null);
        return real;
    }

    /// <summary>Checks a plugin directory, its ancestors, and everything in it.</summary>
    /// <param name="directory">The plugin directory's real path.</param>
    public void CheckPlugin(string directory)
    {
        string name = Path.GetFileName(directory);
        CheckAncestors(directory, name, directory);
        CheckDirectory(directory, "plugin directory", name, directory);
        CheckContents(directory, name, directory);
    }

    /// <summary>The real path of a path, or null when it does not exist.</summary>
    /// <param name="path">Any path.</param>
    /// <returns>The absolute path with every symbolic link resolved.</returns>
    public static unsafe string? RealPath(string path)
    {
        byte* resolved = RealPathNative(path, null);
        if (resolved is null)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 ? null : throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            return Marshal.PtrToStringUTF8((nint)resolved);
        }
        finally
        {
            NativeMemory.Free(resolved);
        }
    }

    private void CheckContents(string directory, string name, string pluginDirectory)
    {
        // Sorted in place: LINQ's Order was JIT compiled at each start.
        string[] entries = Directory.GetFileSystemEntries(directory);
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            UnixFileStatus status = UnixFileStatus.Read(entry);
            if (status.IsSymbolicLink)
            {
                CheckOwner(entry, status, "symbolic link", name, pluginDirectory);
                string target = RealPath(entry) ?? throw new CapturePluginException(name, pluginDirectory, $"symbolic link {entry} points to nothing");
                UnixFileStatus targetStatus = UnixFileStatus.Read(target);
                if (targetStatus.IsDirectory)
                {
                    throw new CapturePluginException(name, pluginDirectory, $"{entry} is a symbolic link to the directory {target}; a plugin's directories must be in the plugin directory itself");
                }

                CheckAncestors(target, name, pluginDirectory);
                CheckFile(target, targetStatus, Describe(entry), name, pluginDirectory);
            }
            else if (status.IsDirectory)
            {
                CheckDirectory(entry, "directory", name, pluginDirectory);
                CheckContents(entry, name, pluginDirectory);
            }
            else
            {
                CheckFile(entry, status, Describe(entry), name, pluginDirectory);
            }
        }
    }

    private void CheckAncestors(string path, string? name, string? pluginDirectory)
    {
        string child = path;
        for (string? parent = Path.GetDirectoryName(path); parent is not null; child = parent, parent = Path.GetDirectoryName(parent))
        {
            UnixFileStatus status = UnixFileStatus.Read(parent);
            CheckOwner(parent, status, "parent directory", name, pluginDirectory);
            UnixFileMode mode = status.Permissions;
            if ((mode & GroupOrOtherWrite) != 0 && (mode & UnixFileMode.StickyBit) == 0)
            {
                throw new CapturePluginException(name, pluginDirectory, $"parent directory {parent} is writable by {Writers(mode)} (mode {Octal(mode)}) and not sticky, so others can replace {child}; refusing. Run: chmod go-w {parent}");
            }
        }
    }

    private void CheckDirectory(string path, string what, string? name, string? pluginDirectory)
    {
        UnixFileStatus status = UnixFileStatus.Read(path);
        CheckOwner(path, status, what, name, pluginDirectory);
        UnixFileMode mode = status.Permissions;
        if ((mode & UnixFileMode.StickyBit) != 0)
        {
            throw new CapturePluginException(name, pluginDirectory, $"{what} {path} is sticky (mode {Octal(mode)}), a shared directory others can add plugins to; refusing. Run: chmod -t,go-w {path}");
        }

        CheckWritable(path, mode, what, name, pluginDirectory);
    }

    private void CheckFile(string path, UnixFileStatus status, string what, string name, string pluginDirectory)
    {
        CheckOwner(path, status, what, name, pluginDirectory);
        CheckWritable(path, status.Permissions, what, name, pluginDirectory);
    }

    private void CheckOwner(string path, UnixFileStatus status, string what, string? name, string? pluginDirectory)
    {
        if (status.Owner != 0 && status.Owner != _user)
        {
            string trusted = _user == 0 ? "root" : $"root or the running user ({UserName(_user)})";
            throw new CapturePluginException(name, pluginDirectory, $"{what} {path} is owned by {UserName(status.Owner)}, not by {trusted}; refusing code another user controls. Run: chown {(_user == 0 ? "root" : _user.ToString(CultureInfo.InvariantCulture))} {path}");
        }
    }

    private static void CheckWritable(string path, UnixFileMode mode, string what, string? name, string? pluginDirectory)
    {
        if ((mode & GroupOrOtherWrite) != 0)
        {
            throw new CapturePluginException(name, pluginDirectory, $"{what} {path} is writable by {Writers(mode)} (mode {Octal(mode)}); refusing to load code others can replace. Run: chmod go-w {path}");
        }
    }

    private static string Describe(string file)
    {
        string fileName = Path.GetFileName(file);
        if (string.Equals(fileName, CapturePluginManifest.FileName, StringComparison.Ordinal))
        {
            return "manifest";
        }

        return Path.GetExtension(fileName) switch
        {
            ".json" when fileName.EndsWith(".deps.json", StringComparison.Ordinal) => "dependency manifest",
            ".dll" => "assembly",
            ".so" => "native library",
            ".o" => "BPF object",
            _ => fileName.Contains(".so.", StringComparison.Ordinal) ? "native library" : "file",
        };
    }

    private static string Writers(UnixFileMode mode) => (mode & UnixFileMode.OtherWrite) != 0 ? "all users" : "its group";

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    /// <summary>"uid 65534 (nobody)"; the name from /etc/passwd when it has one.</summary>
    private static string UserName(uint uid)
    {
        string id = uid.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                string[] fields = line.Split(':');
                if (fields.Length > 2 && string.Equals(fields[2], id, StringComparison.Ordinal))
                {
                    return $"uid {id} ({fields[0]})";
                }
            }
        }
        catch (IOException)
        {
            // Without the user database the number alone still names the owner.
        }

        return $"uid {id}";
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial byte* RealPathNative(string path, byte* resolved);
}
