using Gateway.Drivers.Pole;
using Gateway.Sync.Store;
using Gateway.Sync.Time;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

/// <summary>
/// GNSS time (an NMEA receiver with <c>timeSource: true</c>) into the store's clock logic (SPEC
/// section 3). Every fix is reference time: tied to the monotonic clock, it dates records even
/// when the system clock stays at 1970 — the gateway runs without CAP_SYS_TIME and cannot set it.
/// A fix that agrees with the system clock also vouches for it. A fix that disagrees says once by
/// how much the clock is off (chrony with the receiver as a reference clock is the tool that sets it).
/// </summary>
internal sealed partial class GnssClockSink(IClockSync clock, ILogger<GnssClockSink> logger) : ITimeFixSink
{
    /// <summary>Agreement needed between GNSS and system time (NMEA sentences arrive up to a second late).</summary>
    internal static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private bool _warned;
    private bool _referenced;

    public ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fix);
        if (fix.Utc < clock.Floor)
        {
            // A receiver without almanac, or with a week-rollover bug, reports 1980 or 2006.
            return ValueTask.CompletedTask;
        }
        if (!_referenced)
        {
            Log.ReferenceTime(logger, fix.Source, RecordJson.FormatTimestamp(fix.Utc));
            _referenced = true;
        }
        var agreement = clock.ReportSample($"gnss:{fix.Source}", fix.Utc, fix.MonotonicTimestamp, fix.LocalClockAtReceipt, Tolerance);
        if (agreement == ClockAgreement.Confirmed)
        {
            Log.ClockConfirmed(logger, fix.Source, (fix.LocalClockAtReceipt - fix.Utc).TotalMilliseconds);
        }
        if (agreement != ClockAgreement.Disagrees)
        {
            _warned = false;
        }
        else if (!_warned)
        {
            Log.ClockDisagrees(logger, fix.Source, (fix.LocalClockAtReceipt - fix.Utc).TotalSeconds);
            _warned = true;
        }
        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Information, "clock: GNSS time from {Source} confirms the system clock (off by {OffsetMs} ms)")]
        public static partial void ClockConfirmed(ILogger logger, string source, double offsetMs);

        [LoggerMessage(1102, LogLevel.Warning, "clock: the system clock is off by {OffsetSeconds} s from GNSS time ({Source}); records are dated from GNSS time, the system clock stays wrong until it is set (e.g. chrony with the receiver as refclock)")]
        public static partial void ClockDisagrees(ILogger logger, string source, double offsetSeconds);

        [LoggerMessage(1103, LogLevel.Information, "clock: time is known from GNSS ({Source}, {Utc}); records are dated from it")]
        public static partial void ReferenceTime(ILogger logger, string source, string utc);
    }
}
