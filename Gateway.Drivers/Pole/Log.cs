using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Pole;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "pole sensors: {Count} device(s) started")]
    public static partial void Started(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Debug, "pole device {Device} failed ({Reason}); retrying in {Delay}")]
    public static partial void DriverFailed(ILogger logger, string device, string reason, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Error, "pole device {Device}: unexpected failure of its driver; restarting in {Delay}")]
    public static partial void DriverCrashed(ILogger logger, string device, TimeSpan delay, Exception exception);
}
