namespace Gateway.Inference.Scheduling;

/// <summary>One camera's analysis as the scheduler saw it.</summary>
/// <param name="AskedFps">The configured analysis rate.</param>
/// <param name="AnalysisFps">Frames analysed per second over the last few; 0 once none was for three frame intervals.</param>
/// <param name="InferenceMs">Mean detector time per frame over the last few frames that ran it (all the camera's models together).</param>
/// <param name="Analysed">Frames the analysis observed (with fresh or, behind the motion gate, repeated detections).</param>
/// <param name="Dropped">Frames a newer one replaced before a thread was free for them.</param>
/// <param name="MotionSkipped">Analysed frames on which the motion gate spared the detector.</param>
/// <param name="Failures">Frames lost to a detector or analysis fault.</param>
/// <param name="LastError">The last such fault; null if none.</param>
public sealed record LaneFigures(
    string Camera,
    double AskedFps,
    double AnalysisFps,
    double InferenceMs,
    long Analysed,
    long Dropped,
    long MotionSkipped,
    long Failures,
    string? LastError);
