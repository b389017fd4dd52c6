using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Abstractions;

internal static partial class Log
{
    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "device {Device} offline: {Reason}")]
    public static partial void DeviceOffline(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "device {Device} online again")]
    public static partial void DeviceOnline(ILogger logger, string device);
}
