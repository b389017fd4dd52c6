using Gateway.Drivers.Pole;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

/// <summary>
/// GNSS time (an NMEA receiver with <c>timeSource: true</c>) into the store's clock logic (SPEC
/// section 3). A fix that agrees with the system clock proves the clock: records stamped while it
/// was untrusted get their time fixed. A fix that disagrees does not: the gateway cannot set the
/// system clock (it runs without CAP_SYS_TIME), so it says by how much the clock is off — chrony
/// with the receiver as a reference clock is the tool that sets it.
/// </summary>
internal sealed partial class GnssClockSink(IClockSync clock, ILogger<GnssClockSink> logger) : ITimeFixSink
{
    /// <summary>Agreement needed between GNSS and system time (NMEA sentences arrive up to a second late).</summary>
    internal static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private bool _warned;

    public ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fix);
        var offset = fix.LocalClockAtReceipt - fix.Utc;
        if (offset.Duration() <= Tolerance)
        {
            if (!clock.IsSynchronized)
            {
                // Once is enough: reporting raises the store's fix-up of untrusted timestamps.
                Log.ClockConfirmed(logger, fix.Source, offset.TotalMilliseconds);
                clock.ReportSynchronized($"gnss:{fix.Source}");
            }
            _warned = false;
        }
        else
        {
            // Not ReportLost: another source (NTP) may have set the clock since; GNSS just cannot vouch for it.
            if (!_warned)
            {
                Log.ClockDisagrees(logger, fix.Source, offset.TotalSeconds);
                _warned = true;
            }
        }
        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "clock: GNSS time from {Source} confirms the system clock (off by {OffsetMs} ms)")]
        public static partial void ClockConfirmed(ILogger logger, string source, double offsetMs);

        [LoggerMessage(21, LogLevel.Warning, "clock: the system clock is off by {OffsetSeconds} s from GNSS time ({Source}); records stay marked unsynced until the clock is set (e.g. chrony with the receiver as refclock)")]
        public static partial void ClockDisagrees(ILogger logger, string source, double offsetSeconds);
    }
}
