namespace Gateway.Sync.Store;

/// <summary>Clock trust from the configured floor and reports of time sources.</summary>
/// <param name="time">The clock whose timestamps records and reference times carry (the store's).</param>
internal sealed class ClockSync(DateTimeOffset floor, bool requireTimeSync, TimeProvider? time = null) : IClockSync
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile bool _synchronized;

    // UTC minus monotonic time, in ticks, from the latest reference time; 0 while there is none
    // (a real offset is never 0: it is at least the floor's ticks minus the uptime).
    private long _referenceOffsetTicks;

    public DateTimeOffset Floor => floor;

    public bool IsSynchronized => _synchronized;

    public bool IsTimeKnown => _synchronized || Interlocked.Read(ref _referenceOffsetTicks) != 0;

    public event EventHandler? Synchronized;

    public bool IsTrusted(DateTimeOffset wallClock) => wallClock >= floor && (_synchronized || !requireTimeSync);

    public DateTimeOffset? TimeOf(DateTimeOffset wallClock, long monotonicTimestamp)
    {
        // A clock a source vouched for is the best time; next a reference time carried on the
        // monotonic clock (which no clock step moves); a merely plausible clock only without
        // requireTimeSync — and only when no reference says otherwise (a drifted RTC is plausible).
        if (_synchronized && wallClock >= floor)
        {
            return wallClock;
        }
        var offset = Interlocked.Read(ref _referenceOffsetTicks);
        if (offset != 0)
        {
            var reference = new DateTimeOffset(MonotonicTicks(monotonicTimestamp) + offset, TimeSpan.Zero);
            return reference >= floor ? reference : null;
        }
        return !requireTimeSync && wallClock >= floor ? wallClock : null;
    }

    public void ReportSynchronized(string source)
    {
        _synchronized = true;
        Synchronized?.Invoke(this, EventArgs.Empty);
    }

    public void ReportReferenceTime(string source, DateTimeOffset utc, long monotonicTimestamp)
    {
        if (utc < floor)
        {
            return; // a receiver without almanac (or with a week-rollover bug) reports 1980 or 2006
        }
        var offset = utc.UtcTicks - MonotonicTicks(monotonicTimestamp);
        if (Interlocked.Exchange(ref _referenceOffsetTicks, offset) == 0 && !_synchronized)
        {
            Synchronized?.Invoke(this, EventArgs.Empty);
        }
    }

    public void ReportLost(string source) => _synchronized = false;

    private long MonotonicTicks(long timestamp) => (long)((Int128)timestamp * TimeSpan.TicksPerSecond / _time.TimestampFrequency);
}
