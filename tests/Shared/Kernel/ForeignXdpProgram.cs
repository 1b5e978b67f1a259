// Shared kernel-test fixtures (tests/Shared/Kernel). This file: an XDP program that is not ours.
using System.Diagnostics;

namespace Capture.Tests.Kernel;

/// <summary>
/// Another party's XDP program (named <c>xdp_foreign</c>; it passes every packet), compiled once
/// per test process with the clang the build uses for our filter, for tests that must see a
/// program they do not own refused.
/// </summary>
public static class ForeignXdpProgram
{
    private const string Source = """
        #define SEC(name) __attribute__((section(name), used))
        struct xdp_md { unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
        SEC("xdp") int xdp_foreign(struct xdp_md *ctx) { return 2; /* XDP_PASS */ }
        char _license[] SEC("license") = "GPL";
        """;

    private static readonly Lazy<string> Object = new(Compile);

    /// <summary>The program's name as the kernel reports it.</summary>
    public const string Name = "xdp_foreign";

    /// <summary>Attaches the program to <paramref name="interfaceName"/> in generic mode, through netlink (as <c>ip</c> does).</summary>
    public static void AttachGeneric(string interfaceName) =>
        IpCommand.Run("link", "set", "dev", interfaceName, "xdpgeneric", "obj", Object.Value, "sec", "xdp");

    /// <summary>Detaches whatever generic-mode program <paramref name="interfaceName"/> has.</summary>
    public static void DetachGeneric(string interfaceName) =>
        IpCommand.TryRun("link", "set", "dev", interfaceName, "xdpgeneric", "off");

    private static string Compile()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"xdp-foreign-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        string source = Path.Combine(directory, "xdp_foreign.c");
        string output = Path.Combine(directory, "xdp_foreign.o");
        File.WriteAllText(source, Source);
        var start = new ProcessStartInfo("clang-14") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-O2", "-g", "-target", "bpf", "-c", source, "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("clang-14 did not start (scripts/setup.sh installs it)");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"clang-14 could not build the foreign XDP program: {error}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return output;
    }
}
