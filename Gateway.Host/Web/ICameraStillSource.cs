namespace Gateway.Host.Web;

/// <summary>
/// What the camera work registers so that the page can show cameras: the configured cameras and
/// a JPEG still of one with its detections and zones drawn and persons blurred. Until an
/// implementation is registered, <c>/api/cameras</c> answers 503 "camera analysis not built yet".
/// </summary>
public interface ICameraStillSource
{
    /// <summary>Each camera with what the page shows beside it (id, state, fps, zones…), as JSON-serialisable objects.</summary>
    IReadOnlyList<object> Describe();

    /// <summary>The latest still as JPEG bytes, or null when the camera is unknown or has no frame yet.</summary>
    ValueTask<ReadOnlyMemory<byte>?> StillAsync(string cameraId, CancellationToken cancellationToken);
}
