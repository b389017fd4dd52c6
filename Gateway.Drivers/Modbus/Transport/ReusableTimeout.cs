namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// A per-transaction timeout token that does not allocate in steady state: one
/// <see cref="CancellationTokenSource"/> on the injected clock, reset after each use and only
/// recreated after it actually fired. Also cancelled when the owner's stopping token is.
/// <see cref="Stop"/> must follow each guarded operation: a timer left armed would fire while the
/// link is idle (poll interval ≥ timeout) and force a new source, timer and registration
/// (~300 B) on the next request.
/// </summary>
internal sealed class ReusableTimeout(TimeProvider time, CancellationToken stopping) : IDisposable
{
    private CancellationTokenSource? _source;
    private CancellationTokenRegistration _link;

    public CancellationToken Start(TimeSpan timeout)
    {
        if (_source is null || !_source.TryReset())
        {
            _link.Dispose();
            _source?.Dispose();
            _source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _link = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
        }
        _source.CancelAfter(timeout);
        return _source.Token;
    }

    /// <summary>Disarms the timer once the guarded operation is over.</summary>
    public void Stop() => _source?.TryReset();

    public void Dispose()
    {
        _link.Dispose();
        _source?.Dispose();
    }
}
