using System.Globalization;
using System.Runtime.InteropServices;
using Capture.Bypass.Bench;
using Capture.Tests.Kernel;

// bypass-bench [--runs N] [--scenarios S1,S2,S3] [--host Detect.Sample.dll] [--sender fastsender.c]
//              [--af key=value]... [--set key=value]... [--keep]
// Root. Each run starts a new host (cold start); runs are interleaved S1, S2, S3, S1, ...
int runs = 3;
string[] names = ["S1", "S2", "S3"];
string? host = null;
string senderSource = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/tools/fastsender.c"));
var interfaceKeys = new List<KeyValuePair<string, string>>();
var hostArguments = new List<string>();
bool keep = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value", nameof(args));
    switch (args[i])
    {
        case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--scenarios": names = Next().Split(','); break;
        case "--host": host = Path.GetFullPath(Next()); break;
        case "--sender": senderSource = Path.GetFullPath(Next()); break;
        case "--af":
            string[] pair = Next().Split('=', 2);
            interfaceKeys.Add(new(pair[0], pair[1]));
            break;
        case "--set": hostArguments.Add("--set"); hostArguments.Add(Next()); break;
        case "--keep": keep = true; break;
        default: throw new ArgumentException($"unknown argument {args[i]}", nameof(args));
    }
}

host ??= DefaultHost();
BypassScenario[] scenarios = [.. names.Select(n => BypassScenario.All.Single(s => s.Name == n))];
var settings = new BenchSettings(host, interfaceKeys, hostArguments, keep);

// A name of our own (the kernel tests use fixed ones); removed on exit, on Ctrl-C and on SIGTERM.
using var cancel = new CancellationTokenSource();
using var net = new VethNamespace("byb" + (Environment.ProcessId % 1_000_000).ToString(CultureInfo.InvariantCulture));
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sender = new FastSender(senderSource);

Console.WriteLine($"# live bypass benchmark: {host}");
Console.WriteLine($"# veth {net.HostInterface} (XDP driver mode, 1 ring thread), {Environment.ProcessorCount} CPUs, {runs} cold-start runs per scenario, interleaved; " +
    $"af-packet keys: {(interfaceKeys.Count == 0 ? "defaults" : string.Join(", ", interfaceKeys.Select(k => $"{k.Key}: {k.Value}")))}" +
    (hostArguments.Count > 0 ? $"; host args: {string.Join(' ', hostArguments)}" : string.Empty));
Console.WriteLine();
Console.WriteLine("| run | scenario | leak % | worst flow % | sent pps | window CPU-s | ns CPU / offered pkt | latency n / p50 / p99 / max µs | ring drops | veth drops | startup CPU-s | exact |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
var outcomes = new List<RunOutcome>();
for (int run = 1; run <= runs && !cancel.IsCancellationRequested; run++)
{
    foreach (BypassScenario scenario in scenarios)
    {
        if (cancel.IsCancellationRequested)
        {
            break;
        }

        RunOutcome o = ScenarioRun.Execute(scenario, net, sender, settings);
        outcomes.Add(o);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {run} | {o.Scenario} | {o.LeakPercent:0.000} | {o.WorstFlowLeakPercent:0.000} | {o.Sent / o.SendSeconds:0} | {o.WindowCpuSeconds:0.000} | {o.CpuNanosecondsPerOfferedPacket:0} | {Latency(o)} | {o.KernelDrops} | {o.VethDrops} | {o.StartupCpuSeconds:0.00} | {(o.AccountingExact ? "yes" : "NO: " + o.AccountingDetail)} |"));
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | leak % median (range) | latency p50 / p99 / max µs (median of runs) | window CPU-s median (range) | ns CPU / offered pkt | ring drops | veth drops | accounting exact |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (BypassScenario scenario in scenarios)
{
    List<RunOutcome> of = [.. outcomes.Where(o => o.Scenario == scenario.Name)];
    if (of.Count == 0)
    {
        continue;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {scenario.Name}: {scenario.Describe()} | {Median(of, o => o.LeakPercent):0.000} ({of.Min(o => o.LeakPercent):0.000}-{of.Max(o => o.LeakPercent):0.000}) | " +
        $"{Median(of, o => o.LatencyP50Microseconds):0} / {Median(of, o => o.LatencyP99Microseconds):0} / {Median(of, o => o.LatencyMaxMicroseconds):0} | " +
        $"{Median(of, o => o.WindowCpuSeconds):0.000} ({of.Min(o => o.WindowCpuSeconds):0.000}-{of.Max(o => o.WindowCpuSeconds):0.000}) | {Median(of, o => o.CpuNanosecondsPerOfferedPacket):0} | " +
        $"{of.Sum(o => o.KernelDrops)} | {of.Sum(o => o.VethDrops)} | {of.Count(o => o.AccountingExact)}/{of.Count} |"));
}

return 0;

void Stop(PosixSignalContext context)
{
    // Finish the run in progress (its host is stopped and its files removed), then clean up and exit.
    context.Cancel = true;
    cancel.Cancel();
    Console.Error.WriteLine("# stopping after the current run");
}

static string Latency(RunOutcome o) => o.LatencyCount < 0 ? "n/a" : $"{o.LatencyCount} / {o.LatencyP50Microseconds} / {o.LatencyP99Microseconds} / {o.LatencyMaxMicroseconds}";

static double Median(List<RunOutcome> outcomes, Func<RunOutcome, double> value)
{
    double[] sorted = [.. outcomes.Select(value).Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string DefaultHost()
{
    // bench/bypass/bin/<Configuration>/<framework>/ -> Detect.Sample/bin/<Configuration>/<framework>/Detect.Sample.dll
    var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    string path = Path.GetFullPath(Path.Combine(output.FullName, "../../../../../Detect.Sample/bin", output.Parent!.Name, output.Name, "Detect.Sample.dll"));
    return File.Exists(path) ? path : throw new FileNotFoundException($"the built host is missing: {path} (dotnet build Detect.Sample -c {output.Parent.Name})", path);
}
