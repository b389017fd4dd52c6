using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Abstractions;

internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "driver output: the store did not take {Count} record(s): {Reason}; retrying with back-off, newer readings wait in memory (see 'store.writes' in status)")]
    public static partial void SinkFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "driver output: the store takes records again (after {Attempts} failed attempt(s))")]
    public static partial void SinkRecovered(ILogger logger, int attempts);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "device {Device} offline: {Reason}")]
    public static partial void DeviceOffline(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "device {Device} online again")]
    public static partial void DeviceOnline(ILogger logger, string device);
}
