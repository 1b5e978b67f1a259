// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Ebpf, Capture.AfPacket
// and Capture.Netronome test projects. This file: the checks a kernel test makes first. A missing
// capability FAILS the test with a message saying what is missing; nothing is skipped silently.
using System.Diagnostics;

namespace Capture.Tests.Kernel;

/// <summary>Root, iproute2 and a mounted bpffs: what the namespace/veth/XDP tests need.</summary>
public static class KernelPrerequisites
{
    private static readonly Lazy<string?> s_problem = new(Find);

    /// <summary>Throws with a clear message when the machine cannot run kernel tests.</summary>
    /// <param name="needBpffs">Whether the test needs /sys/fs/bpf (pinned maps).</param>
    public static void Require(bool needBpffs = true)
    {
        string? problem = s_problem.Value;
        if (problem is not null)
        {
            throw new InvalidOperationException("kernel test prerequisites missing: " + problem);
        }

        if (needBpffs && !IsBpffsMounted())
        {
            throw new InvalidOperationException("kernel test prerequisites missing: no bpffs at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)");
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
                return fields.Length > 2 && string.Equals(fields[1], "/sys/fs/bpf", StringComparison.Ordinal) && string.Equals(fields[2], "bpf", StringComparison.Ordinal);
            });
        }
        catch (IOException)
        {
            return false;
        }
    }
}
