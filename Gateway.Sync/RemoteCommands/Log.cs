using Microsoft.Extensions.Logging;

namespace Gateway.Sync.RemoteCommands;

internal static partial class Log
{
    [LoggerMessage(4201, LogLevel.Information, "command {Name} (id {Id}): {Outcome}")]
    public static partial void Handled(ILogger logger, string name, string id, string outcome);

    [LoggerMessage(4202, LogLevel.Warning, "command on {Topic} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string topic, string reason);

    [LoggerMessage(4203, LogLevel.Error, "command {Name} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string name);

    [LoggerMessage(4204, LogLevel.Warning, "reply to command {Name} was not delivered: {Outcome}")]
    public static partial void ReplyNotDelivered(ILogger logger, string name, string outcome);
}
