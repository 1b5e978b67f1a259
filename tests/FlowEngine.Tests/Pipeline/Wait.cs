using Xunit;

namespace FlowEngine.Tests.Pipeline;

/// <summary>Polls what a running engine makes true on its own threads.</summary>
internal static class Wait
{
    /// <summary>Waits up to 10 s for <paramref name="condition"/>, then asserts it.</summary>
    public static async Task Until(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 10 s");
    }
}
