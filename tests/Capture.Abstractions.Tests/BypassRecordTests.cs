using Capture.Abstractions;

namespace Capture.Abstractions.Tests;

public sealed class BypassRecordTests
{
    [Fact]
    public void Folding_reports_movement_of_packets_in_either_direction()
    {
        var record = new BypassRecord();

        Assert.True(record.FoldTotals(3, 300, 0, 0));
        Assert.False(record.FoldTotals(3, 300, 0, 0));
        Assert.True(record.FoldTotals(3, 300, 2, 120));
        Assert.Equal((3L, 300L, 2L, 120L), (record.PacketsToServer, record.BytesToServer, record.PacketsToClient, record.BytesToClient));
    }

    [Fact]
    public void Totals_never_go_back_when_a_read_races_a_delete()
    {
        var record = new BypassRecord();
        record.FoldTotals(10, 1000, 5, 500);

        Assert.False(record.FoldTotals(0, 0, 0, 0));
        Assert.Equal((10L, 1000L, 5L, 500L), (record.PacketsToServer, record.BytesToServer, record.PacketsToClient, record.BytesToClient));
    }

    [Fact]
    public void Bytes_alone_do_not_count_as_a_live_flow()
    {
        var record = new BypassRecord();
        record.FoldTotals(1, 100, 1, 100);

        Assert.False(record.FoldTotals(1, 200, 1, 100));
        Assert.Equal(200, record.BytesToServer);
    }

    [Fact]
    public void Outcomes_say_whether_the_capture_took_the_flow()
    {
        Assert.True(BypassOutcome.Success.Succeeded);
        BypassOutcome full = BypassOutcome.Failed(BypassFailure.TableFull, "flow_v4 is full");
        Assert.False(full.Succeeded);
        Assert.Equal(BypassFailure.TableFull, full.Failure);
        Assert.Equal("flow_v4 is full", full.Detail);
    }
}
