namespace Gateway.Host.Hosting;

/// <summary>
/// How long a failed component waits before it runs again: the ceiling doubles with each failure
/// of a streak (first, 2·first, … up to max) and the wait is drawn from its upper half ("equal
/// jitter"). The lower bound keeps a component that fails at once from spinning; the random half
/// keeps poles felled by the same cause (a platform push, a bad firmware) from restarting in step.
/// </summary>
internal sealed class RestartBackoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _max;
    private readonly Func<double> _uniform;

    /// <param name="uniform">Draws from [0, 1); <see cref="Random.Shared"/> in production, fixed in tests.</param>
    public RestartBackoff(TimeSpan first, TimeSpan max, Func<double> uniform)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, first);
        _first = first;
        _max = max;
        _uniform = uniform;
    }

    /// <summary>The longest wait after the given number of failures in a row (1 = the first failure).</summary>
    public TimeSpan Ceiling(int failures)
    {
        var doublings = Math.Clamp(failures - 1, 0, 62);
        return TimeSpan.FromTicks((long)Math.Min(_max.Ticks, _first.Ticks * Math.Pow(2, doublings)));
    }

    public TimeSpan Next(int failures)
    {
        var ceiling = Ceiling(failures).Ticks;
        return TimeSpan.FromTicks(ceiling / 2 + (long)(ceiling / 2 * _uniform()));
    }
}
