// Shared host-test fixtures (tests/Shared/Host), linked into Detect.Sample.Tests and
// Capture.AfPacket.Tests. This file: where the built host is, and starting it.
using System.Diagnostics;

namespace Capture.Tests.Host;

/// <summary>
/// The built host, Detect.Sample/bin/&lt;configuration&gt;/&lt;framework&gt;/Detect.Sample.dll with
/// its plugins laid out beside it, for the configuration and framework the tests were built for,
/// run as a separate process the way an operator runs it.
/// </summary>
public static class DetectSampleLocation
{
    private static readonly Lazy<(string Root, string Host)> Located = new(Locate);

    /// <summary>The host assembly's path (run it with <c>dotnet exec</c>).</summary>
    /// <exception cref="InvalidOperationException">It is not built; the message says what to build.</exception>
    public static string Host => Located.Value.Host;

    /// <summary>The host's output directory.</summary>
    public static string Directory => Path.GetDirectoryName(Host)!;

    /// <summary>Starts the host (<c>dotnet exec</c>, in the repository's root) with <paramref name="arguments"/>, without waiting for it.</summary>
    public static RunningHost Start(params string[] arguments) => Start([], arguments);

    /// <summary>Starts the host with extra environment variables, without waiting for it.</summary>
    public static RunningHost Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) => Start([], environment, arguments);

    /// <summary>
    /// Starts the host behind <paramref name="prefix"/>, a program that ends by exec'ing the host
    /// command appended to it (e.g. a shell that changes signal dispositions), without waiting for it.
    /// </summary>
    public static RunningHost Start(IReadOnlyList<string> prefix, params string[] arguments) =>
        Start(prefix, new Dictionary<string, string>(), arguments);

    private static RunningHost Start(IReadOnlyList<string> prefix, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return StartProcess([.. prefix, dotnet, "exec", Host, .. arguments], environment, Located.Value.Root);
    }

    /// <summary>
    /// Starts <paramref name="command"/> (a program and its arguments; another build of the host, or
    /// what publishes one) in <paramref name="workingDirectory"/>, its output read as it comes, without waiting for it.
    /// </summary>
    public static RunningHost StartProcess(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        return new RunningHost(Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}"));
    }

    private static (string Root, string Host) Locate()
    {
        // tests/<Project>/bin/<Configuration>/<framework>/ -> Detect.Sample/bin/<Configuration>/<framework>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = output.Parent?.Name ?? "Debug";
        DirectoryInfo? root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Capture.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"no Capture.sln above {output.FullName}");
        }

        string host = Path.Combine(root.FullName, "Detect.Sample", "bin", configuration, output.Name, "Detect.Sample.dll");
        if (!File.Exists(host) || !System.IO.Directory.Exists(Path.Combine(Path.GetDirectoryName(host)!, "plugins", "pcap-file")))
        {
            throw new InvalidOperationException($"the built host with its plugins is missing at {host}; build it first (dotnet build Detect.Sample -c {configuration})");
        }

        return (root.FullName, host);
    }
}
