using Gateway.Sync.Store;

namespace Gateway.Sync.Time;

/// <summary>What a time sample said about the system clock.</summary>
public enum ClockAgreement
{
    /// <summary>The sample agrees with the system clock, which this sample is the first to vouch for.</summary>
    Confirmed,

    /// <summary>The sample agrees with a system clock already vouched for.</summary>
    Agrees,

    /// <summary>The system clock is off: records are dated from the sample's time, not from the clock.</summary>
    Disagrees,
}

/// <summary>The one way every time source (GNSS, NTP) hands a time sample to <see cref="IClockSync"/>.</summary>
public static class TimeSourceReports
{
    /// <summary>
    /// Reports <paramref name="utc"/>, seen at monotonic <paramref name="monotonicTimestamp"/>, as
    /// reference time; when the system clock read at that moment (<paramref name="systemClock"/>) is
    /// within <paramref name="tolerance"/> of it, the sample also vouches for the system clock.
    /// Samples before the clock floor are ignored (a receiver without almanac reports 1980).
    /// </summary>
    public static ClockAgreement ReportSample(this IClockSync clock, string source, DateTimeOffset utc, long monotonicTimestamp, DateTimeOffset systemClock, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ClockAgreement agreement;
        if ((systemClock - utc).Duration() <= tolerance)
        {
            agreement = clock.IsSynchronized ? ClockAgreement.Agrees : ClockAgreement.Confirmed;
            if (agreement == ClockAgreement.Confirmed)
            {
                // Before the reference time, so the store's fix-up of old timestamps is raised once.
                clock.ReportSynchronized(source);
            }
        }
        else
        {
            // Not ReportLost: another source may have set the clock since; this one just cannot vouch for it.
            agreement = ClockAgreement.Disagrees;
        }
        // Every sample, not once: the latest keeps the drift of the monotonic clock (tens of ppm) out of the dates.
        clock.ReportReferenceTime(source, utc, monotonicTimestamp);
        return agreement;
    }
}
