using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Abstractions;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Writing driver output into the store failed; retrying")]
    public static partial void SinkFailed(ILogger logger, Exception exception);
}
