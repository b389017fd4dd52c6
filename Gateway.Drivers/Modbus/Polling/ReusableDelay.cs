using System.Threading.Tasks.Sources;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>
/// The wait for a link's next poll slot without an allocation per wait (Task.Delay allocates a
/// promise and a timer every time, ~150 B per poll): one timer on the injected clock, re-armed for
/// each wait, completing a reusable value-task source. One wait at a time. Ends early — with
/// <c>false</c> — when the owner's stopping token is cancelled.
/// </summary>
internal sealed class ReusableDelay : IValueTaskSource<bool>, IDisposable
{
    private readonly ITimer _timer;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _stoppingRegistration;
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _armed;

    public ReusableDelay(TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(time);
        _core.RunContinuationsAsynchronously = true;
        _stopping = stopping;
        // The timer only completes the source; the awaiting method restores its own context, so none needs to flow here.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static s => ((ReusableDelay)s!).Complete(elapsed: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        _stoppingRegistration = stopping.UnsafeRegister(static s => ((ReusableDelay)s!).Complete(elapsed: false), this);
    }

    /// <summary>Completes with <c>true</c> after <paramref name="delay"/>, or with <c>false</c> as soon as the owner stops.</summary>
    public ValueTask<bool> WaitAsync(TimeSpan delay)
    {
        if (_stopping.IsCancellationRequested)
        {
            return ValueTask.FromResult(false);
        }
        _core.Reset();
        Volatile.Write(ref _armed, 1);
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        if (_stopping.IsCancellationRequested)
        {
            Complete(elapsed: false); // stopped between the check and arming: the registration may have found nothing armed
        }
        return new ValueTask<bool>(this, _core.Version);
    }

    private void Complete(bool elapsed)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetResult(elapsed);
        }
    }

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void Dispose()
    {
        _stoppingRegistration.Dispose();
        _timer.Dispose();
    }
}
