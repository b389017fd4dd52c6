using Microsoft.Extensions.Logging;

namespace Gateway.Host.Health;

internal static partial class Log
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Debug, Message = "/metrics refused to {Remote} (web.metrics: {Mode})")]
    public static partial void MetricsRefused(ILogger logger, string remote, MetricsAccessMode mode);

}
