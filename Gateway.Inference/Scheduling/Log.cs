using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Scheduling;

internal static partial class Log
{
    [LoggerMessage(3501, LogLevel.Information, "inference: {Threads} detector thread(s) shared by {Cameras} camera(s)")]
    public static partial void Started(ILogger logger, int threads, int cameras);

    [LoggerMessage(3502, LogLevel.Error, "camera {Camera}: {Stage} failed; its frames are skipped until it works again (said once per streak)")]
    public static partial void AnalysisFailed(ILogger logger, string camera, string stage, Exception exception);

    [LoggerMessage(3503, LogLevel.Information, "camera {Camera}: analysis works again after {Failures} failed frame(s)")]
    public static partial void AnalysisRecovered(ILogger logger, string camera, long failures);
}
