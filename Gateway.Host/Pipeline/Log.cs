using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

internal static partial class Log
{
    [LoggerMessage(1150, LogLevel.Error, "camera {Camera} cannot be analysed: model '{Model}' did not load ({Reason}); the other cameras run")]
    public static partial void ModelUnavailable(ILogger logger, string camera, string model, string reason);

    [LoggerMessage(1151, LogLevel.Information, "camera pipeline: {Cameras} camera(s), {Models} model(s) loaded, {Threads} inference thread(s)")]
    public static partial void PipelineStarted(ILogger logger, int cameras, int models, int threads);

    [LoggerMessage(1190, LogLevel.Information, "{Type} for {Source}: it was reported down before the restart and works again")]
    public static partial void BackAfterRestart(ILogger logger, string type, string source);

    [LoggerMessage(1191, LogLevel.Debug, "{Type} for {Source} not stored again: the platform was already told so")]
    public static partial void StateEventRepeated(ILogger logger, string type, string source);

    [LoggerMessage(1192, LogLevel.Information, "last reported device states read from the store: {Down} device(s)/camera(s) reported down")]
    public static partial void LastToldLoaded(ILogger logger, int down);

    [LoggerMessage(1193, LogLevel.Warning, "last reported device states could not be read from the store ({Reason}): a device reported offline before the restart may not be reported online")]
    public static partial void LastToldUnreadable(ILogger logger, string reason);
}
