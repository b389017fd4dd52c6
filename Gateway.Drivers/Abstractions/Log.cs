using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Abstractions;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Writing driver output into the store failed; retrying")]
    public static partial void SinkFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "device {Device} offline: {Reason}")]
    public static partial void DeviceOffline(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "device {Device} online again")]
    public static partial void DeviceOnline(ILogger logger, string device);
}
