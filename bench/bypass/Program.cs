using System.Globalization;
using System.Runtime.InteropServices;
using Capture.Bypass.Bench;
using Capture.Tests.Kernel;

// bypass-bench [--runs N] [--scenarios S1,S2,S3 (default; also T1)] [--sender fastsender.c] [--keep]
//              [--variant LABEL] [--host Detect.Sample.dll] [--af key=value]... [--set key=value]... [--env NAME=value]... [--nice N] [--variant ...]
// Root. Each run starts a new host (cold start). Runs are interleaved: for each run, each scenario,
// each variant (a host build and its af-packet keys / --set overrides), so a busy machine weighs on all alike.
int runs = 3;
string[] names = ["S1", "S2", "S3"];
string senderSource = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/tools/fastsender.c"));
bool keep = false;
var variants = new List<BenchSettings>();
BenchSettings current = new("this build", DefaultHost(), [], [], [], 0, false);
bool started = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value", nameof(args));
    switch (args[i])
    {
        case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--scenarios": names = Next().Split(','); break;
        case "--sender": senderSource = Path.GetFullPath(Next()); break;
        case "--keep": keep = true; break;
        case "--variant":
            if (started)
            {
                variants.Add(current);
            }

            current = new BenchSettings(Next(), DefaultHost(), [], [], [], 0, false);
            started = true;
            break;
        case "--host": current = current with { Host = Path.GetFullPath(Next()) }; started = true; break;
        case "--af":
            string[] pair = Next().Split('=', 2);
            current = current with { InterfaceKeys = [.. current.InterfaceKeys, new(pair[0], pair[1])] };
            started = true;
            break;
        case "--env":
            string[] variable = Next().Split('=', 2);
            current = current with { Environment = [.. current.Environment, new(variable[0], variable[1])] };
            started = true;
            break;
        case "--nice": current = current with { Nice = int.Parse(Next(), CultureInfo.InvariantCulture) }; started = true; break;
        case "--set": current = current with { HostArguments = [.. current.HostArguments, "--set", Next()] }; started = true; break;
        default: throw new ArgumentException($"unknown argument {args[i]}", nameof(args));
    }
}

variants.Add(current);
variants = [.. variants.Select(v => v with { KeepLogs = keep })];
BypassScenario[] scenarios = [.. names.Select(n => BypassScenario.All.Single(s => s.Name == n))];

// A name of our own (the kernel tests use fixed ones); removed on exit, on Ctrl-C and on SIGTERM.
using var cancel = new CancellationTokenSource();
using var net = new VethNamespace("byb" + (Environment.ProcessId % 1_000_000).ToString(CultureInfo.InvariantCulture));
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sender = new FastSender(senderSource);

Console.WriteLine($"# live bypass benchmark: veth {net.HostInterface} (XDP driver mode, 1 ring thread), {Environment.ProcessorCount} CPUs, {runs} cold-start runs per scenario and variant, interleaved");
foreach (BenchSettings v in variants)
{
    Console.WriteLine($"# variant '{v.Label}': {v.Host}; af-packet keys: {(v.InterfaceKeys.Count == 0 ? "defaults" : string.Join(", ", v.InterfaceKeys.Select(k => $"{k.Key}: {k.Value}")))}" +
        (v.HostArguments.Count > 0 ? $"; host args: {string.Join(' ', v.HostArguments)}" : string.Empty) +
        (v.Environment.Count > 0 ? $"; environment: {string.Join(' ', v.Environment.Select(e => $"{e.Key}={e.Value}"))}" : string.Empty) +
        (v.Nice != 0 ? $"; nice {v.Nice}" : string.Empty));
}

Console.WriteLine();
Console.WriteLine("| run | variant | scenario | leak % | worst flow % | sent pps | window CPU-s | ns CPU / offered pkt | latency n / p50 / p99 / max µs | ring drops | veth drops | startup CPU-s | READY=1 after s | exact |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
var outcomes = new List<(BenchSettings Variant, RunOutcome Outcome)>();
for (int run = 1; run <= runs && !cancel.IsCancellationRequested; run++)
{
    foreach (BypassScenario scenario in scenarios)
    {
        foreach (BenchSettings variant in variants)
        {
            if (cancel.IsCancellationRequested)
            {
                break;
            }

            RunOutcome? o = null;
            for (int attempt = 1; o is null; attempt++)
            {
                try
                {
                    o = ScenarioRun.Execute(scenario, net, sender, variant);
                }
                catch (SenderStoppedException e) when (attempt < 3)
                {
                    Console.Error.WriteLine($"# run {run} of {scenario.Name} ({variant.Label}) done again: {e.Message}");
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or SenderStoppedException)
                {
                    // Returning (not throwing) runs the usings above: the veth pair and namespace go.
                    Console.Error.WriteLine($"# run {run} of {scenario.Name} ({variant.Label}) failed: {e.Message}");
                    return 1;
                }
            }

            outcomes.Add((variant, o));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run} | {variant.Label} | {o.Scenario} | {o.LeakPercent:0.000} | {o.WorstFlowLeakPercent:0.000} | {o.Sent / o.SendSeconds:0} | {o.WindowCpuSeconds:0.000} | {o.CpuNanosecondsPerOfferedPacket:0} | {Latency(o)} | {o.KernelDrops} | {o.VethDrops} | {o.StartupCpuSeconds:0.00} | {o.ReadySeconds:0.00} | {(o.AccountingExact ? "yes" : "NO: " + o.AccountingDetail)} |"));
        }
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | variant | leak % median (range) | latency p50 / p99 / max µs (median of runs) | window CPU-s median (range) | ns CPU / offered pkt | sent kpps | ring drops | veth drops | accounting exact |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
foreach (BypassScenario scenario in scenarios)
{
    foreach (BenchSettings variant in variants)
    {
        List<RunOutcome> of = [.. outcomes.Where(o => o.Outcome.Scenario == scenario.Name && o.Variant == variant).Select(o => o.Outcome)];
        if (of.Count == 0)
        {
            continue;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {scenario.Name}: {scenario.Describe()} | {variant.Label} | {Median(of, o => o.LeakPercent):0.000} ({of.Min(o => o.LeakPercent):0.000}-{of.Max(o => o.LeakPercent):0.000}) | " +
            $"{LatencyMedians(of)} | " +
            $"{Median(of, o => o.WindowCpuSeconds):0.000} ({of.Min(o => o.WindowCpuSeconds):0.000}-{of.Max(o => o.WindowCpuSeconds):0.000}) | {Median(of, o => o.CpuNanosecondsPerOfferedPacket):0} | " +
            $"{Median(of, o => o.Sent / o.SendSeconds) / 1000:0} | {of.Sum(o => o.KernelDrops)} | {of.Sum(o => o.VethDrops)} | {of.Count(o => o.AccountingExact)}/{of.Count} |"));
    }
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

static string LatencyMedians(List<RunOutcome> of) => of.Any(o => o.LatencyCount < 0)
    ? "n/a"
    : string.Create(CultureInfo.InvariantCulture, $"{Median(of, o => o.LatencyP50Microseconds):0} / {Median(of, o => o.LatencyP99Microseconds):0} / {Median(of, o => o.LatencyMaxMicroseconds):0}");

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
