using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> shaped like a pole's two clocks: timestamps count from the start
/// (CLOCK_MONOTONIC since boot, not ticks since year 1, which overflow when turned into nanoseconds),
/// and the wall clock can be stepped either way without moving them, as NTP or a GPS fix does.
/// <see cref="FakeTimeProvider.AdjustTime"/> cannot stand in: it moves timestamps and timer due times too.
/// </summary>
public sealed class FakeBootClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private long _wallStepTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Volatile.Read(ref _wallStepTicks));

    public override long GetTimestamp() => (base.GetUtcNow() - Start).Ticks;

    /// <summary>Steps wall-clock time only; timestamps and timers are unaffected.</summary>
    public void StepWallClock(DateTimeOffset now) => Volatile.Write(ref _wallStepTicks, (now - base.GetUtcNow()).Ticks);
}
