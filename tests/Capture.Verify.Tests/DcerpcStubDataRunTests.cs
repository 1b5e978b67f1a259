using Capture.Tests.Shared;

namespace Capture.Verify.Tests;

/// <summary>
/// The host on suricata-verify's dcerpc-dce-stub-data capture with its rules, started as the runner
/// starts it: the alerts the test expects (not a kind the runner scores) fire, the others do not.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class DcerpcStubDataRunTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dcerpc-stub-data-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task The_stub_data_rules_alert_on_the_request_and_only_the_matching_ones()
    {
        VerifyTest test = SuricataVerifyFolder.Tests().Single(t => t.Name == "dcerpc/dcerpc-dce-stub-data");

        VerifyRun run = (await VerifyRunner.RunAllAsync([test], _work.FullName, parallelism: 1))[0];

        Assert.True(run.ExitCode == 0, run.Failure);
        Dictionary<string, object?>[] alerts = [.. run.Eve.Events.Where(e => e["event_type"] is "alert")];
        long[] sids = [.. alerts.Select(e => Convert.ToInt64(((Dictionary<string, object?>)e["alert"]!)["signature_id"], System.Globalization.CultureInfo.InvariantCulture)).Order()];
        Assert.Equal([1, 2, 11, 12], sids);

        // The capture's 7th packet carries the REQUEST. Suricata alerts on the 10th, the client's next
        // packet after the server acknowledged the request: its app-layer parses the client's stream
        // once acknowledged and inspects the transaction on the next packet to the server. This host
        // inspects the stub data in the packet that carries it.
        Assert.All(alerts, e => Assert.Equal(7L, Convert.ToInt64(e["pcap_cnt"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(alerts, e => Assert.Equal("dcerpc", e["app_proto"]));
        Assert.Single(run.Eve.Events, e => e["event_type"] is "flow" && e["app_proto"] is "dcerpc");
    }
}
