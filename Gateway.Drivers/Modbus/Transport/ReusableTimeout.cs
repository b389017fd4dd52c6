namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// A per-transaction timeout token that does not allocate in steady state: one
/// <see cref="CancellationTokenSource"/> and one timer of the injected clock, the timer re-armed for
/// each transaction and the source only recreated after it actually fired. Also cancelled when the
/// owner's stopping token is. <see cref="Stop"/> must follow each guarded operation: a timer left
/// armed would fire while the link is idle (poll interval ≥ timeout) and force a new source and
/// registration (~300 B) on the next request.
/// <para>
/// The timer is ours rather than the source's own (<c>CancelAfter</c> + <c>TryReset</c>) because
/// <c>TryReset</c> disarms only the runtime's timer, not one of another <see cref="TimeProvider"/>:
/// on a fake clock a stopped timeout still fired.
/// </para>
/// </summary>
internal sealed class ReusableTimeout : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _source;
    private CancellationTokenRegistration _link;
    private long _due; // timestamp at which the armed timeout expires; 0 while disarmed

    public ReusableTimeout(TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _stopping = stopping;
        // The callback only cancels a source; no context needs to flow into it.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static s => ((ReusableTimeout)s!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Start(TimeSpan timeout)
    {
        CancellationToken token;
        lock (_gate)
        {
            if (_source is null || _source.IsCancellationRequested)
            {
                _link.Dispose();
                _source?.Dispose();
                _source = new CancellationTokenSource();
                _link = _stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
            }
            _due = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
            token = _source.Token;
        }
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        return token;
    }

    /// <summary>Disarms the timer once the guarded operation is over.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _due = 0;
        }
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void Expire()
    {
        CancellationTokenSource? expired = null;
        var remaining = TimeSpan.Zero;
        lock (_gate)
        {
            if (_due == 0)
            {
                return; // stopped, or a callback of an earlier arming that lost the race with Stop
            }
            var left = _due - _time.GetTimestamp();
            if (left <= 0)
            {
                expired = _source;
                _due = 0;
            }
            else
            {
                remaining = TimeSpan.FromSeconds((double)left / _time.TimestampFrequency);
            }
        }
        if (expired is not null)
        {
            expired.Cancel();
        }
        else
        {
            // Fired early (the system timer counts coarser milliseconds) or for an earlier arming: wait out the rest.
            _timer.Change(remaining, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _link.Dispose();
        _source?.Dispose();
    }
}
