namespace Gateway.Inference;

/// <summary>
/// <c>cameras[].motionGate</c>: skip the detector on frames that did not change (the analysis then
/// sees the last analysed frame's detections again). Absent = every frame goes through the detector.
/// </summary>
public sealed class MotionGateOptions
{
    /// <summary>Percent of the frame's 64×48 grey cells that must have changed for the detector to run.</summary>
    public double MinChangedPercent { get; set; } = 0.1;

    /// <summary>The detector runs at least this often, changed or not.</summary>
    public double MaxSkipSeconds { get; set; } = 10;
}
