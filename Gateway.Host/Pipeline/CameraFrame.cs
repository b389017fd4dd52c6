using Gateway.Drivers.Cameras;
using Gateway.Inference.Scheduling;

namespace Gateway.Host.Pipeline;

/// <summary>A reader's frame as the scheduler takes it (Inference does not know the drivers' type); disposing returns its pooled buffer.</summary>
internal sealed class CameraFrame(VideoFrame frame) : IAnalysisFrame
{
    public ReadOnlySpan<byte> Rgb24 => frame.Pixels;

    public int Width => frame.Width;

    public int Height => frame.Height;

    public DateTimeOffset CapturedAt => frame.CapturedAt;

    public long Timestamp => frame.Timestamp;

    public void Dispose() => frame.Dispose();
}
