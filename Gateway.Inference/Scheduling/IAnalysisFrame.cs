namespace Gateway.Inference.Scheduling;

/// <summary>
/// A camera frame handed to the <see cref="InferenceScheduler"/>, which disposes it once it was
/// analysed or pushed out by a newer one. Inference does not see the drivers' frame type; the Host
/// wraps its frames in this.
/// </summary>
public interface IAnalysisFrame : IDisposable
{
    /// <summary>Packed RGB24 rows, <see cref="Width"/>·<see cref="Height"/>·3 bytes.</summary>
    ReadOnlySpan<byte> Rgb24 { get; }

    int Width { get; }

    int Height { get; }

    DateTimeOffset CapturedAt { get; }

    /// <summary>When the frame was read, on the scheduler's <see cref="TimeProvider"/>.</summary>
    long Timestamp { get; }
}
