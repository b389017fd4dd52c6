using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which of its timers are armed, whose they are (the
/// state object given to <see cref="TimeProvider.CreateTimer"/>) and when each is due. A test
/// can then move time exactly when the code under test is parked on a timer, and exactly to the
/// next timer, as a discrete-event simulation: results then depend on the schedule, not on how
/// fast a loaded machine ran the code between two steps. It also counts the timers ever created
/// (every <c>Task.Delay</c>, <c>PeriodicTimer</c> and timeout), so a test can wait until the code
/// is really waiting before it advances — advancing earlier would leave the late timer waiting forever.
/// </summary>
public sealed class WatchedFakeTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<WatchedTimer> _timers = [];
    private int _created;

    public int TimersCreated => Volatile.Read(ref _created);

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

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(s =>
        {
            timer.Fired();
            callback(s);
        }, state, dueTime, period);
        Interlocked.Increment(ref _created);
        return timer;
    }

    /// <summary>Whether a timer of an owner that <paramref name="owner"/> accepts is armed.</summary>
    public bool IsArmed(Func<object?, bool> owner)
    {
        lock (_gate)
        {
            return _timers.Exists(t => t.Due is not null && owner(t.Owner));
        }
    }

    /// <summary>Moves time to the earliest armed timer, which fires; false when none is armed.</summary>
    public bool AdvanceToNextTimer()
    {
        DateTimeOffset? next;
        lock (_gate)
        {
            next = _timers.Select(t => t.Due).Where(d => d is not null).Min();
        }
        if (next is not { } due)
        {
            return false;
        }
        var now = GetUtcNow();
        Advance(due > now ? due - now : TimeSpan.Zero);
        return true;
    }

    private void Forget(WatchedTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class WatchedTimer(WatchedFakeTime time, object? owner) : ITimer
    {
        private DateTimeOffset? _due;
        private TimeSpan _period;

        public object? Owner { get; } = owner;

        public ITimer? Inner { get; set; }

        public DateTimeOffset? Due
        {
            get
            {
                lock (this)
                {
                    return _due;
                }
            }
        }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (this)
            {
                _due = dueTime == Timeout.InfiniteTimeSpan ? null : time.GetUtcNow() + dueTime;
                _period = period;
            }
        }

        public void Fired()
        {
            lock (this)
            {
                _due = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? time.GetUtcNow() + _period : null;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            Arm(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            time.Forget(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
