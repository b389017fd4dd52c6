using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Pole;

internal static partial class Log
{
    [LoggerMessage(2201, LogLevel.Information, "pole sensors: {Count} device(s) started")]
    public static partial void Started(ILogger logger, int count);

    [LoggerMessage(2202, LogLevel.Debug, "pole device {Device} failed ({Reason}); retrying in {Delay}")]
    public static partial void DriverFailed(ILogger logger, string device, string reason, TimeSpan delay);

    [LoggerMessage(2203, LogLevel.Error, "pole device {Device}: unexpected failure of its driver; restarting in {Delay}")]
    public static partial void DriverCrashed(ILogger logger, string device, TimeSpan delay, Exception exception);
}
