using System.Text.Json.Nodes;

namespace Gateway.Host.Web;

/// <summary>
/// What the camera pipeline gives the page (Pipeline/CameraPipeline): the configured cameras and a
/// JPEG still of one with its detections and zones drawn and persons blurred. Without an
/// implementation registered, <c>/api/cameras</c> answers 503 "camera analysis not built yet".
/// </summary>
public interface ICameraStillSource
{
    /// <summary>Each configured camera: id, state, fps, analysisFps, width, height, zones (name, kind, points, persons)…</summary>
    IReadOnlyList<JsonObject> Describe();

    /// <summary>Whether <paramref name="cameraId"/> is a configured camera.</summary>
    bool Knows(string cameraId);

    /// <summary>The latest still as JPEG bytes, or null when the camera is unknown or has no analysed frame yet.</summary>
    ValueTask<ReadOnlyMemory<byte>?> StillAsync(string cameraId, CancellationToken cancellationToken);
}
