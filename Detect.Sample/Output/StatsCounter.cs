namespace Detect.Sample.Output;

/// <summary>One counter of an EVE stats event: a dotted name (<c>decoder.ipv4</c>) and its value.</summary>
internal readonly record struct StatsCounter(string Name, long Value);
