using Detect.Sample.Hosting;

// Detect.Sample: a sample IDS host on the capture framework. See docs/HOST.md.
return DetectProgram.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, CancellationToken.None);
