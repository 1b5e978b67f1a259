using Detect.Sample.Hosting;

// Detect.Sample: a sample IDS host on the capture framework. See docs/HOST.md.
return await DetectProgram.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, CancellationToken.None).ConfigureAwait(false);
