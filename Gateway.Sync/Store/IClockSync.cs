namespace Gateway.Sync.Store;

/// <summary>
/// What the node knows about the time (SPEC section 3). Time sources report here: one that sets or
/// vouches for the system clock (NTP, a GPS fix that agrees with it) with
/// <see cref="ReportSynchronized"/>; one that only tells the time (a GPS on a gateway that cannot
/// set the clock) with <see cref="ReportReferenceTime"/>, which ties UTC to the monotonic clock.
/// The store asks <see cref="TimeOf"/> for each record and dates the untimed ones once time is known.
/// </summary>
public interface IClockSync
{
    /// <summary><c>storage.clockFloor</c>: no record is ever dated before it.</summary>
    DateTimeOffset Floor { get; }

    /// <summary>True once a time source vouched for the system clock (and did not report it lost since).</summary>
    bool IsSynchronized { get; }

    /// <summary>True when <see cref="TimeOf"/> can date a measurement taken now: the system clock is synchronised or a reference time is known.</summary>
    bool IsTimeKnown { get; }

    /// <summary>A wall-clock reading is trusted when it is past <c>storage.clockFloor</c> and, if <c>storage.requireTimeSync</c>, the clock is synchronised.</summary>
    bool IsTrusted(DateTimeOffset wallClock);

    /// <summary>
    /// The time of a measurement taken at <paramref name="wallClock"/> and monotonic
    /// <paramref name="monotonicTimestamp"/> (of the store's <see cref="TimeProvider"/>), or null
    /// while time is not known. Never before <see cref="Floor"/>.
    /// </summary>
    DateTimeOffset? TimeOf(DateTimeOffset wallClock, long monotonicTimestamp);

    void ReportSynchronized(string source);

    /// <summary>
    /// A time source saw <paramref name="utc"/> at <paramref name="monotonicTimestamp"/>: from then
    /// on time is known even if the system clock is wrong (ignored when before <see cref="Floor"/>).
    /// </summary>
    void ReportReferenceTime(string source, DateTimeOffset utc, long monotonicTimestamp);

    void ReportLost(string source);

    /// <summary>Raised when time becomes known (on the reporter's thread; keep handlers short).</summary>
    event EventHandler? Synchronized;
}
