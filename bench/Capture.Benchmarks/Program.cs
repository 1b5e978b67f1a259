Console.WriteLine("benchmarks: see docs/BENCHMARKS.md");
