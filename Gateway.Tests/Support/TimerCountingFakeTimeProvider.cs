using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it (every <c>Task.Delay</c>,
/// <c>PeriodicTimer</c> and timeout), so a test can wait until the code under test is really waiting
/// before it advances the clock — advancing earlier would leave the late timer waiting forever.
/// </summary>
public sealed class TimerCountingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits (real time, generous for a loaded machine) until <paramref name="count"/> timers were created.</summary>
    public async Task WaitForTimersAsync(int count)
    {
        for (var i = 0; i < 3000 && TimersCreated < count; i++)
        {
            await Task.Delay(10);
        }
        if (TimersCreated < count)
        {
            throw new TimeoutException($"{TimersCreated} timer(s) created, {count} expected");
        }
    }
}
