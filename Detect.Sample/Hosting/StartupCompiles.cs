using System.Runtime;

namespace Detect.Sample.Hosting;

/// <summary>
/// The runtime's tier-1 compiles of what the start-up ran. Methods called often while the host
/// started (configuration, rules, the capture's set-up) are recompiled in the background once
/// 100 ms pass without new methods (the runtime's call-counting delay): ~30 ms of CPU on one core,
/// which a live run would otherwise spend beside its first packets.
/// </summary>
internal static class StartupCompiles
{
    /// <summary>A wait with no compile in it: past the call-counting delay, and a compile's time.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    /// <summary>Longest wait: a JIT that never settles (a busy capture compiling its own code) does not hold the start back.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);

    /// <summary>Waits until a <see cref="Quiet"/> period passes without a compile, or <see cref="Longest"/>.</summary>
    /// <returns>True when the compiles settled.</returns>
    public static async Task<bool> SettleAsync(CancellationToken cancellationToken)
    {
        long started = Environment.TickCount64;
        long compiled = JitInfo.GetCompiledMethodCount();
        while (Environment.TickCount64 - started < Longest.TotalMilliseconds)
        {
            await Task.Delay(Quiet, cancellationToken).ConfigureAwait(false);
            long now = JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return true;
            }

            compiled = now;
        }

        return false;
    }
}
