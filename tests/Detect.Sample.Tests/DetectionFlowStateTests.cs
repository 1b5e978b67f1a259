using Capture.Tests.Shared;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

public sealed class DetectionFlowStateTests
{
    [Fact]
    public void A_reset_flow_state_is_a_new_one_in_every_field()
    {
        ResetCheck.AssertResetLikeNew(new DetectionFlowState(), state => state.Reset(), new DetectionFlowState());
    }
}
