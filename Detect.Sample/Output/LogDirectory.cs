using Capture.Hosting.Configuration;
using Microsoft.Win32.SafeHandles;

namespace Detect.Sample.Output;

/// <summary>
/// The log directory, held open: every log file is opened relative to it, by a plain file name,
/// without following links, so that no output can land outside it (a symbolic link planted as
/// <c>eve.json</c>, a <c>-l</c> that is a link to <c>/etc</c>, a <c>filename: ../x</c>).
/// </summary>
internal sealed class LogDirectory : IDisposable
{
    private readonly SafeFileHandle _handle;

    private LogDirectory(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the directory, creating it (and its parents) when missing.
    /// </summary>
    /// <exception cref="IOException">It cannot be created or opened, or it is a symbolic link; the message says which.</exception>
    public static LogDirectory Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is { } target)
        {
            throw new IOException($"the log directory {full} is a symbolic link (to {target}); give the directory itself");
        }

        if (!info.Exists)
        {
            if (File.Exists(full))
            {
                throw new IOException($"the log directory {full} is a file, not a directory");
            }

            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("log files are written on Linux only");
            }

            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        int fd = PosixFile.OpenDirectory(full);
        if (fd < 0)
        {
            string why = -fd switch
            {
                PosixFile.ELOOP => "it is a symbolic link",
                PosixFile.ENOTDIR => "it is not a directory",
                _ => PosixFile.Describe(-fd),
            };
            throw new IOException($"cannot open the log directory {full}: {why}");
        }

        return new LogDirectory(full, new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>The full path of a file in the directory.</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Opens (creating) a regular file in the directory for writing, without truncating it.</summary>
    /// <exception cref="IOException">The name is not a plain file name, the file is a symbolic link or not a regular file, or it cannot be opened.</exception>
    public SafeFileHandle OpenFile(string name, bool append, UnixFileMode mode)
    {
        if (LogFileName.Problem(name) is { } problem)
        {
            throw new IOException(problem);
        }

        int fd = PosixFile.OpenForWriting(_handle, name, append, mode);
        if (fd < 0)
        {
            string why = -fd switch
            {
                PosixFile.ELOOP => "it is a symbolic link; log files are never written through links",
                PosixFile.ENXIO => "it exists and is not a regular file (a FIFO or a socket)",
                _ => PosixFile.Describe(-fd),
            };
            throw new IOException($"cannot open {PathOf(name)}: {why}");
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        if (!PosixFile.IsSeekable(file))
        {
            file.Dispose();
            throw new IOException($"cannot write {PathOf(name)}: it exists and is not a regular file (a FIFO or a socket)");
        }

        return file;
    }

    /// <summary>Removes a file of the directory (pcap-log's oldest file past <c>max-files</c>).</summary>
    /// <exception cref="IOException">The name is not a plain file name, or the file cannot be removed.</exception>
    public void RemoveFile(string name)
    {
        if (LogFileName.Problem(name) is { } problem)
        {
            throw new IOException(problem);
        }

        int error = PosixFile.RemoveAt(_handle, name);
        if (error != 0 && error != PosixFile.ENOENT)
        {
            throw new IOException($"cannot remove {PathOf(name)}: {PosixFile.Describe(error)}");
        }
    }

    public void Dispose() => _handle.Dispose();
}
