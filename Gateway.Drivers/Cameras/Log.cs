using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Cameras;

internal static partial class Log
{
    [LoggerMessage(2701, LogLevel.Warning, "camera {Camera} lost: {Reason}")]
    public static partial void CameraLost(ILogger logger, string camera, string reason);

    [LoggerMessage(2702, LogLevel.Information, "camera {Camera} restored after {FailedStarts} failed start(s)")]
    public static partial void CameraRestored(ILogger logger, string camera, int failedStarts);

    [LoggerMessage(2703, LogLevel.Debug, "camera {Camera}: ffmpeg ended ({Reason}); starting it again in {Delay}")]
    public static partial void Reconnecting(ILogger logger, string camera, string reason, TimeSpan delay);

    [LoggerMessage(2704, LogLevel.Information, "camera {Camera} ffmpeg: {Line} ({Suppressed} more stderr line(s) since the last report)")]
    public static partial void FfmpegStderr(ILogger logger, string camera, string line, long suppressed);

    [LoggerMessage(2705, LogLevel.Error, "camera {Camera}: unexpected failure of its reader")]
    public static partial void ReaderCrashed(ILogger logger, string camera, Exception exception);
}
