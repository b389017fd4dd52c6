namespace Gateway.Drivers.Cameras;

/// <summary>One camera's reader as the status command, health topic and web page show it.</summary>
/// <param name="FramesPerSecond">Frames delivered per second over the last few frames; 0 once none came for the stall time.</param>
/// <param name="Dropped">Frames the analysis never took because a newer one replaced them.</param>
/// <param name="Starts">ffmpeg processes started (1 + reconnects).</param>
/// <param name="LastError">Why the stream was last lost; null if it never was.</param>
public sealed record CameraFigures(
    string Camera,
    CameraState State,
    double FramesPerSecond,
    long Frames,
    long Dropped,
    int Starts,
    string? LastError,
    DateTimeOffset? LastFrameAt);
