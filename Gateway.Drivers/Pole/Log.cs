using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Pole;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "pole sensors: {Count} device(s) started")]
    public static partial void Started(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "pole device {Device} failed; restarting in {Delay}")]
    public static partial void DriverFailed(ILogger logger, string device, TimeSpan delay, Exception exception);
}
