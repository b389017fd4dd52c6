using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Modbus.Polling;

internal static partial class Log
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Modbus device {DeviceId} on {Link} is offline: {Reason}")]
    public static partial void DeviceOffline(ILogger logger, string deviceId, string link, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Modbus device {DeviceId} on {Link} is online again")]
    public static partial void DeviceOnline(ILogger logger, string deviceId, string link);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Polling Modbus device {DeviceId} on {Link} failed")]
    public static partial void PollFailed(ILogger logger, Exception exception, string deviceId, string link);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Modbus driver polls {Devices} devices over {Links} links")]
    public static partial void Started(ILogger logger, int devices, int links);
}
