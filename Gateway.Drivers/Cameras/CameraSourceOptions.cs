namespace Gateway.Drivers.Cameras;

/// <summary>
/// What the frame reader needs of one camera. The Host maps the <c>cameras</c> section onto it
/// (Drivers does not see Gateway.Inference's <c>CameraOptions</c>); the analysis size is what the
/// analytics want, not the camera's native size, so that ffmpeg scales before the pipe.
/// </summary>
public sealed class CameraSourceOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>rtsp://…</c> (read over TCP), <c>v4l2:///dev/videoN</c>, or a video file played at real time.</summary>
    public string Source { get; set; } = "";

    /// <summary>Analysis frames per second (ffmpeg's fps filter), not the camera's rate.</summary>
    public double Fps { get; set; } = 1;

    public int Width { get; set; } = 640;

    public int Height { get; set; } = 480;

    /// <summary>A file source starts again at its end (the demo's endless street); off, its end counts as a lost stream.</summary>
    public bool LoopFile { get; set; } = true;

    /// <summary>No frame for this long = stalled: ffmpeg is killed and started again.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectMin { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Frames waiting for the analytics; older ones are dropped (a late frame is worth less than a fresh one).</summary>
    public int QueuedFrames { get; set; } = 1;

    /// <summary>At most one log line of ffmpeg's stderr per camera per interval; the rest is counted.</summary>
    public TimeSpan StderrLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    public string FfmpegPath { get; set; } = "ffmpeg";

    public int FrameBytes => checked(Width * Height * 3);
}
