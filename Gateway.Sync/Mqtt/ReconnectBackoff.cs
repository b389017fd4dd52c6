namespace Gateway.Sync.Mqtt;

/// <summary>
/// Exponential back-off with full jitter: the wait is drawn uniformly from [0, min(max, min·2^attempt)),
/// so that a thousand poles cut off by the same outage do not come back in step. Public for the host's
/// restart of failed components, which draws from the upper half only (its <c>uniform</c> maps to [0.5, 1)).
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Func<double> _uniform;

    /// <param name="uniform">Draws from [0, 1); <see cref="Random.Shared"/> in production, fixed in tests.</param>
    public ReconnectBackoff(TimeSpan min, TimeSpan max, Func<double> uniform)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        _min = min;
        _max = max;
        _uniform = uniform;
    }

    /// <summary>The ceiling for the given number of failures in a row (0 = the first retry).</summary>
    public TimeSpan Ceiling(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt, 0, 62));
        var ticks = Math.Min(_max.Ticks, _min.Ticks * factor);
        return TimeSpan.FromTicks((long)ticks);
    }

    public TimeSpan Next(int attempt) => TimeSpan.FromTicks((long)(Ceiling(attempt).Ticks * _uniform()));
}
