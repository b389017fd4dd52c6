using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Sensors;

internal static partial class Log
{
    [LoggerMessage(2501, LogLevel.Information, "{Type} {Device}: reading {Port}")]
    public static partial void PortOpened(ILogger logger, string type, string device, string port);

    [LoggerMessage(2502, LogLevel.Debug, "pms5003 {Device}: corrupt frame dropped ({Count} so far)")]
    public static partial void Pms5003Corrupt(ILogger logger, string device, long count);

    [LoggerMessage(2503, LogLevel.Debug, "nmea {Device}: sentence rejected: {Reason} ({Count} so far)")]
    public static partial void NmeaRejected(ILogger logger, string device, string reason, long count);

    [LoggerMessage(2504, LogLevel.Information, "nmea {Device}: GNSS time {Utc:o}, local clock off by {Offset}")]
    public static partial void TimeFix(ILogger logger, string device, DateTimeOffset utc, TimeSpan offset);
}
