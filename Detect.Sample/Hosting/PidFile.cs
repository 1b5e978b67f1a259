using System.Globalization;
using System.Text;
using Detect.Sample.Output;
using Microsoft.Win32.SafeHandles;

namespace Detect.Sample.Hosting;

/// <summary>
/// <c>--pidfile</c>: the process id, written while the host runs and removed when it ends. A file
/// naming a live process is refused (another instance runs); one naming a process that is gone is
/// replaced; anything else at the path (a link, a directory, a file that holds no pid) is left
/// alone and the start refused, so the option never destroys a file the host does not own.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;
    private readonly string _content;
    private int _removed;

    private PidFile(string path, string content)
    {
        _path = path;
        _content = content;
    }

    /// <summary>Writes this process's id into <paramref name="path"/>.</summary>
    /// <exception cref="HostExitException">The path is held by a live process or by something that is not a pid file.</exception>
    public static PidFile Create(string path)
    {
        string full = Path.GetFullPath(path);
        string content = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n";
        for (int attempt = 0; ; attempt++)
        {
            int fd = PosixFile.CreateNew(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            if (fd >= 0)
            {
                using var file = new SafeFileHandle(fd, ownsHandle: true);
                int error = PosixFile.WriteAll(file, Encoding.ASCII.GetBytes(content));
                if (error != 0)
                {
                    File.Delete(full);
                    throw new HostExitException(ExitCodes.RuntimeError, $"--pidfile: writing {full} failed: {PosixFile.Describe(error)}");
                }

                return new PidFile(full, content);
            }

            if (-fd != PosixFile.EEXIST || attempt > 0)
            {
                string why = -fd == PosixFile.ELOOP ? "it is a symbolic link" : PosixFile.Describe(-fd);
                throw new HostExitException(ExitCodes.RuntimeError, $"--pidfile: cannot create {full}: {why}");
            }

            RemoveStale(full);
        }
    }

    /// <summary>Removes the file, if it still holds this process's id.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }

        try
        {
            if (string.Equals(File.ReadAllText(_path), _content, StringComparison.Ordinal))
            {
                File.Delete(_path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or replaced by someone else: theirs now.
        }
    }

    private static void RemoveStale(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.Directory) != 0 || info.Length > 32)
        {
            throw new HostExitException(ExitCodes.RuntimeError, $"--pidfile: {path} exists and is not a pid file; it is left as it is");
        }

        string text = File.ReadAllText(path).Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
        {
            throw new HostExitException(ExitCodes.RuntimeError, $"--pidfile: {path} exists and does not hold a process id ('{text}'); it is left as it is");
        }

        if (Directory.Exists($"/proc/{pid}"))
        {
            throw new HostExitException(ExitCodes.RuntimeError, $"--pidfile: {path} names process {pid}, which is running: another instance? Stop it, or give another --pidfile");
        }

        File.Delete(path);
    }
}
