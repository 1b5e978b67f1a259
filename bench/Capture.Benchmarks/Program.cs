using System.Reflection;
using BenchmarkDotNet.Running;
using Capture.Benchmarks;

// Two kinds of measurement live here: BenchmarkDotNet classes (run by the switcher) and
// harnesses (fuzzing, kernel traffic, long passes) run by name.
IBenchmarkHarness[] harnesses = typeof(IBenchmarkHarness).Assembly.GetTypes()
    .Where(t => !t.IsAbstract && typeof(IBenchmarkHarness).IsAssignableFrom(t))
    .Select(t => (IBenchmarkHarness)Activator.CreateInstance(t, nonPublic: true)!)
    .OrderBy(h => h.Name, StringComparer.Ordinal)
    .ToArray();

if (args.Length > 0 && args[0] == "run")
{
    IBenchmarkHarness? harness = args.Length > 1 ? harnesses.FirstOrDefault(h => h.Name == args[1]) : null;
    if (harness is null)
    {
        Console.Error.WriteLine("usage: run <harness> [args]; harnesses:");
        foreach (IBenchmarkHarness h in harnesses)
        {
            Console.Error.WriteLine($"  {h.Name,-24} {h.Description}");
        }

        return 2;
    }

    return harness.Run(args[2..]);
}

if (args.Length > 0 && args[0] == "list-harnesses")
{
    foreach (IBenchmarkHarness h in harnesses)
    {
        Console.WriteLine($"{h.Name,-24} {h.Description}");
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
return 0;
