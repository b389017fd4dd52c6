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

    /// <summary>
    /// Moves each frame from the reader's slot to the scheduler at once: the newest frame waits there, not here.
    /// <paramref name="firstFrame"/> is awaited once, before the first frame is offered (the camera answers).
    /// </summary>
    public static async Task HandOverAsync(CameraReader reader, CameraLane lane, CancellationToken cancellationToken, Func<ValueTask>? firstFrame = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(lane);
        try
        {
            while (true)
            {
                var taken = await reader.Frames.TakeAsync(cancellationToken).ConfigureAwait(false);
                if (firstFrame is not null)
                {
                    var answered = firstFrame;
                    firstFrame = null;
                    try
                    {
                        await answered().ConfigureAwait(false);
                    }
                    catch
                    {
                        taken.Dispose(); // the pooled buffer goes back even when the wait for the store is cancelled
                        throw;
                    }
                }
                lane.Offer(new CameraFrame(taken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The reader was disposed: nothing more comes.
        }
    }
}
