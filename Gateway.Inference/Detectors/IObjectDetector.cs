using Gateway.Inference.Postprocessing;

namespace Gateway.Inference.Detectors;

/// <summary>Runs one detection model on RGB24 frames. One per worker thread: results are reused buffers.</summary>
public interface IObjectDetector : IDisposable
{
    DetectionModel Model { get; }

    /// <summary>Detections in frame pixel coordinates, best first; valid until the next call.</summary>
    ReadOnlySpan<Detection> Detect(ReadOnlySpan<byte> rgb24, int width, int height);
}
