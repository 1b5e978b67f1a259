using Detect.Sample.Hosting;

// Detect.Sample: a sample IDS host on the capture framework. See docs/HOST.md.
// Waited for here rather than awaited: an async entry point blocks on its task all the same, and
// its state machine's box was JIT compiled at every start (ReadyToRun images cannot hold it).
return DetectProgram.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, CancellationToken.None).GetAwaiter().GetResult();
