using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Mqtt;

internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "mqtt: connecting to {Broker} as {ClientId} (MQTT {Version})")]
    public static partial void Connecting(ILogger logger, string broker, string clientId, string version);

    [LoggerMessage(4002, LogLevel.Information, "mqtt: connected to {Broker} (session present {SessionPresent}, in-flight window {Window})")]
    public static partial void Connected(ILogger logger, string broker, bool sessionPresent, int window);

    [LoggerMessage(4003, LogLevel.Warning, "mqtt: connection to {Broker} failed: {Reason}; retry in {DelayMs} ms (failure {Failures} in a row)")]
    public static partial void ConnectFailed(ILogger logger, string broker, string reason, long delayMs, int failures);

    [LoggerMessage(4004, LogLevel.Warning, "mqtt: connection to {Broker} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string broker, string reason);

    [LoggerMessage(4005, LogLevel.Debug, "mqtt: connection closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string reason);

    [LoggerMessage(4006, LogLevel.Warning, "mqtt: subscription to {Filter} refused by the broker (code 0x{Code:X2})")]
    public static partial void SubscriptionRefused(ILogger logger, string filter, byte code);

    [LoggerMessage(4007, LogLevel.Information, "mqtt: uplink stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(4008, LogLevel.Warning, "mqtt: the {Which} message was not delivered: {Outcome}")]
    public static partial void SessionMessageFailed(ILogger logger, string which, string outcome);

    [LoggerMessage(4009, LogLevel.Information, "mqtt: {Broker} kept our session: sent {Count} unacknowledged publishes again with their original packet ids")]
    public static partial void SessionResumed(ILogger logger, string broker, int count);
}
