namespace FlowEngine.Tests.Flows;

/// <summary>A wall clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public long UnixNanoseconds => (Interlocked.Read(ref _ticks) - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
