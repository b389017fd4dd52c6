namespace Gateway.Sync.Uplink;

/// <summary>
/// A token bucket for backlog readings per second (for cellular links, <c>mqtt.drainReadingsPerSecond</c>);
/// live data is not limited. Holds at most one second of tokens, so a long idle spell cannot
/// release a burst larger than the configured rate.
/// </summary>
internal sealed class DrainRateLimiter
{
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public DrainRateLimiter(double perSecond, TimeProvider time)
    {
        _perSecond = perSecond;
        _time = time;
        _tokens = perSecond;
        _last = time.GetTimestamp();
    }

    public bool Unlimited => _perSecond <= 0;

    /// <summary>How many readings may go now (at most <paramref name="wanted"/>); zero means wait <see cref="UntilNext"/>.</summary>
    public int Available(int wanted)
    {
        if (Unlimited)
        {
            return wanted;
        }
        Refill();
        return (int)Math.Min(wanted, Math.Floor(_tokens));
    }

    public void Take(int count)
    {
        if (!Unlimited)
        {
            _tokens -= count;
        }
    }

    public TimeSpan UntilNext()
    {
        if (Unlimited)
        {
            return TimeSpan.Zero;
        }
        Refill();
        return _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_perSecond, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _perSecond));
        _last = now;
    }
}
