using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

internal static partial class Log
{
    [LoggerMessage(1150, LogLevel.Error, "camera {Camera} cannot be analysed: model '{Model}' did not load ({Reason}); the other cameras run")]
    public static partial void ModelUnavailable(ILogger logger, string camera, string model, string reason);

    [LoggerMessage(1151, LogLevel.Information, "camera pipeline: {Cameras} camera(s), {Models} model(s) loaded, {Threads} inference thread(s)")]
    public static partial void PipelineStarted(ILogger logger, int cameras, int models, int threads);
}
