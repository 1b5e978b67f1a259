// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: the checks a kernel test makes first. A missing
// capability FAILS the test with a message saying what is missing; nothing is skipped silently.
using System.Diagnostics;

namespace Capture.Tests.Kernel;

/// <summary>Root, iproute2 and a mounted bpffs: what the namespace/veth/XDP tests need.</summary>
public static class KernelPrerequisites
{
    private const string Bpffs = "/sys/fs/bpf";

    // Test projects run side by side in separate processes; two that both found bpffs missing
    // would stack two mounts, and pins made under the first would vanish under the second.
    private const string MountLockFile = "/run/capture-tests-bpffs.lock";
    private static readonly Lazy<string?> s_problem = new(Find);
    private static readonly Lock s_mountLock = new();

    /// <summary>Throws with a clear message when the machine cannot run kernel tests; mounts bpffs when a test needs it and it is missing.</summary>
    /// <param name="needBpffs">Whether the test needs /sys/fs/bpf (pinned maps).</param>
    public static void Require(bool needBpffs = true)
    {
        string? problem = s_problem.Value;
        if (problem is not null)
        {
            throw new InvalidOperationException("kernel test prerequisites missing: " + problem);
        }

        if (needBpffs)
        {
            EnsureBpffs();
        }
    }

    /// <summary>
    /// Mounts bpffs at /sys/fs/bpf (as <c>mount -t bpf bpf /sys/fs/bpf</c>) when it is not there.
    /// A fresh boot often lacks it until iproute2 mounts it on its first BPF use, so without this the
    /// pinned-map tests passed or failed by the order the tests ran in.
    /// </summary>
    private static void EnsureBpffs()
    {
        lock (s_mountLock)
        {
            if (IsBpffsMounted())
            {
                return;
            }

            using FileStream crossProcess = LockAcrossProcesses();
            if (IsBpffsMounted())
            {
                return;
            }

            unsafe
            {
                if (KernelNative.Mount("bpf", Bpffs, "bpf", 0, null) != 0)
                {
                    throw new InvalidOperationException($"kernel test prerequisites missing: no bpffs at {Bpffs}, and mounting it failed: {KernelNative.LastErrorText()}");
                }
            }

            if (!IsBpffsMounted())
            {
                throw new InvalidOperationException($"kernel test prerequisites missing: bpffs was mounted at {Bpffs} but /proc/mounts does not show it");
            }
        }
    }

    private static FileStream LockAcrossProcesses()
    {
        // FileShare.None takes an exclusive flock on Linux; another test process holds it only for a mount.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(MountLockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string? Find()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "these tests need Linux (network namespaces, veth, XDP)";
        }

        if (KernelNative.GetEuid() != 0)
        {
            return "these tests need root (CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW, CAP_SYS_ADMIN for setns); run dotnet test as root";
        }

        try
        {
            using Process? process = Process.Start(new ProcessStartInfo("ip", "-V") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
            {
                return "'ip' (iproute2) could not be started; apt-get install iproute2";
            }

            process.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "'ip' (iproute2) is not installed; apt-get install iproute2";
        }

        return null;
    }

    private static bool IsBpffsMounted()
    {
        try
        {
            return File.ReadLines("/proc/mounts").Any(line =>
            {
                string[] fields = line.Split(' ');
                return fields.Length > 2 && string.Equals(fields[1], Bpffs, StringComparison.Ordinal) && string.Equals(fields[2], "bpf", StringComparison.Ordinal);
            });
        }
        catch (IOException)
        {
            return false;
        }
    }
}
