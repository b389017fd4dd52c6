using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Uplink;

internal static partial class Log
{
    [LoggerMessage(4101, LogLevel.Information, "uplink: forwarding from the store (events after {EventSeq}, telemetry after {TelemetrySeq}; backlog up to seq {Boundary})")]
    public static partial void SessionStarted(ILogger logger, long eventSeq, long telemetrySeq, long boundary);

    [LoggerMessage(4102, LogLevel.Information, "uplink: forwarding paused ({Reason}); {Undelivered} message(s) will be sent again with their original seqs")]
    public static partial void SessionEnded(ILogger logger, string reason, int undelivered);

    [LoggerMessage(4103, LogLevel.Error, "uplink: the broker rejected {Topic} (reason 0x{Code:X2}); nothing is dropped, retrying in {DelaySeconds} s")]
    public static partial void Rejected(ILogger logger, string topic, byte code, double delaySeconds);

    [LoggerMessage(4104, LogLevel.Error, "uplink: forwarding failed; retrying in {DelaySeconds} s")]
    public static partial void ForwarderFailed(ILogger logger, Exception exception, double delaySeconds);

    [LoggerMessage(4105, LogLevel.Information, "uplink: backlog drained ({Readings} reading(s) in {Seconds} s)")]
    public static partial void BacklogDrained(ILogger logger, long readings, double seconds);

    [LoggerMessage(4106, LogLevel.Warning, "uplink: health figures not sent ({Why}); skipped until the next interval")]
    public static partial void HealthNotSent(ILogger logger, string why);

    [LoggerMessage(4107, LogLevel.Error, "uplink: building the health figures failed; skipped until the next interval")]
    public static partial void HealthBuildFailed(ILogger logger, Exception exception);
}
