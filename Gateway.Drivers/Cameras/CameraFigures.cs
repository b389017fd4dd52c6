namespace Gateway.Drivers.Cameras;

/// <summary>One camera's reader (and, once composed, its analysis) as the status command, health topic and web page show it.</summary>
/// <param name="FramesPerSecond">Frames delivered per second over the last few frames; 0 once none came for the stall time.</param>
/// <param name="Dropped">Frames the analysis never took because a newer one replaced them.</param>
/// <param name="Starts">ffmpeg processes started (1 + reconnects).</param>
/// <param name="LastError">Why the stream was last lost; null if it never was.</param>
/// <param name="AskedFps">The configured analysis rate (0 from a bare reader).</param>
/// <param name="AnalysisFps">Frames analysed per second over the last few (the achieved rate to set against <see cref="AskedFps"/>).</param>
/// <param name="InferenceMs">Mean detector time per analysed frame, all the camera's models together.</param>
/// <param name="Analysed">Frames the analysis observed.</param>
/// <param name="MotionSkipped">Analysed frames on which the motion gate spared the detector.</param>
/// <param name="AnalysisFailures">Frames lost to a detector or analysis fault.</param>
/// <param name="AnalysisError">The last such fault, or why the camera's analysis cannot run (a model that did not load).</param>
public sealed record CameraFigures(
    string Camera,
    CameraState State,
    double FramesPerSecond,
    long Frames,
    long Dropped,
    int Starts,
    string? LastError,
    DateTimeOffset? LastFrameAt,
    double AskedFps = 0,
    double AnalysisFps = 0,
    double InferenceMs = 0,
    long Analysed = 0,
    long MotionSkipped = 0,
    long AnalysisFailures = 0,
    string? AnalysisError = null);
