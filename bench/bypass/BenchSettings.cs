namespace Capture.Bypass.Bench;

/// <summary>One variant measured: the host to start, the af-packet keys and --set overrides it runs with.</summary>
/// <param name="Label">Its name in the tables.</param>
/// <param name="Host">Detect.Sample.dll to run with dotnet exec, or the host compiled ahead of time (an executable).</param>
/// <param name="InterfaceKeys">Extra keys of the af-packet interface entry (block-size, block-timeout, tpacket-v3, ...).</param>
/// <param name="HostArguments">Extra host arguments (--set key=value, ...).</param>
/// <param name="Environment">Extra environment variables of the host (DOTNET_* runtime knobs, ...).</param>
/// <param name="Nice">Scheduling priority of the host (nice value; 0 = as started).</param>
/// <param name="KeepLogs">Keep each run's directory (configuration, rules, eve.json, output).</param>
internal sealed record BenchSettings(string Label, string Host, IReadOnlyList<KeyValuePair<string, string>> InterfaceKeys, IReadOnlyList<string> HostArguments, IReadOnlyList<KeyValuePair<string, string>> Environment, int Nice, bool KeepLogs);
