namespace Capture.Verify.Tests;

/// <summary>One suricata-verify test: where it is, how it is started and what it checks.</summary>
/// <param name="Name">The test's name (its path in suricata-verify, e.g. <c>flow-pkt-recursion/ids-tunnel-pkt-flows-recursion-included</c>).</param>
/// <param name="Tier">A: no rules and no IPS simulation; B: rules and/or <c>--simulate-ips</c>.</param>
/// <param name="Directory">The test's folder.</param>
/// <param name="Pcap">The input capture.</param>
/// <param name="Arguments">The test's own arguments (test.yaml <c>args</c>), <c>${TEST_DIR}</c> filled.</param>
/// <param name="Checks">Its checks, stats checks split per counter.</param>
internal sealed record VerifyTest(string Name, string Tier, string Directory, string Pcap, IReadOnlyList<string> Arguments, IReadOnlyList<VerifyCheck> Checks);
