namespace Gateway.Drivers.Pole;

/// <summary>Conversions between a <see cref="TimeProvider"/>'s timestamps and nanoseconds of monotonic time.</summary>
internal static class PoleClock
{
    private const long NanosPerSecond = 1_000_000_000;

    public static long NowNs(TimeProvider time) => ToNs(time, time.GetTimestamp());

    public static long ToNs(TimeProvider time, long timestamp) =>
        (long)((Int128)timestamp * NanosPerSecond / time.TimestampFrequency);

    public static long ToTimestamp(TimeProvider time, long ns) =>
        (long)((Int128)ns * time.TimestampFrequency / NanosPerSecond);

    /// <summary>The wall time at which monotonic instant <paramref name="ns"/> happened, seen from now.</summary>
    public static DateTimeOffset WallTimeOf(TimeProvider time, long ns)
    {
        var ago = NowNs(time) - ns;
        return time.GetUtcNow() - TimeSpan.FromTicks(Math.Max(0, ago) / 100);
    }
}
