using Gateway.Contracts;
using Gateway.Inference.Postprocessing;

namespace Gateway.Inference.Analytics;

/// <summary>One model's detections on an analysed frame, in the frame's pixel coordinates.</summary>
public sealed record ModelDetections(string ModelId, IReadOnlyList<string> Labels, IReadOnlyList<Detection> Detections);

/// <summary>
/// The crowd and litter analysis of one camera (SPEC sections 2 and 3). The camera pipeline calls
/// <see cref="Observe"/> for every analysed frame in capture order, never concurrently for one camera.
/// </summary>
public interface ICameraAnalytics
{
    /// <summary>The camera's id (SPEC section 4), the device of its readings and the source of its events.</summary>
    string Camera { get; }

    /// <summary>The ids of the models this camera's analysis needs run on each frame (its crowd and litter models).</summary>
    IReadOnlyCollection<string> Models { get; }

    /// <param name="rgb24">Packed RGB24 rows of the analysed frame; valid only during the call (copy what you keep, never write it anywhere).</param>
    /// <param name="capturedAt">When the frame was captured: the time its readings and events carry.</param>
    /// <param name="timestamp">The capture's <see cref="TimeProvider"/> timestamp, for durations.</param>
    /// <returns>Readings and events to store, in order; an event may carry its evidence snapshot (JPEG, persons blurred).</returns>
    IReadOnlyList<IngestRecord> Observe(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<ModelDetections> detections, DateTimeOffset capturedAt, long timestamp);
}

/// <summary>Creates the analysis of one configured camera.</summary>
public interface ICameraAnalyticsFactory
{
    ICameraAnalytics Create(CameraOptions camera);
}
