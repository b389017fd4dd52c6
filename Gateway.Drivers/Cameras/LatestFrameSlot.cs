using System.Threading.Channels;

namespace Gateway.Drivers.Cameras;

/// <summary>
/// The hand-over from a camera's reader to its analysis: at most <c>capacity</c> frames wait, and a
/// new frame pushes out the oldest (disposed, counted in <see cref="Dropped"/>). Analysis slower than
/// the camera thus sees fresh frames at its own pace instead of an ever older backlog — the opposite
/// of the driver output's policy, because a reading lost is data lost, a frame skipped is not.
/// </summary>
public sealed class LatestFrameSlot : IDisposable
{
    private readonly Channel<VideoFrame> _channel;
    private long _dropped;

    public LatestFrameSlot(int capacity = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _channel = Channel.CreateBounded<VideoFrame>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            frame =>
            {
                frame.Dispose();
                Interlocked.Increment(ref _dropped);
            });
    }

    /// <summary>Frames pushed out unseen since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands a frame over; never waits. After <see cref="Dispose"/> the frame is released at once.</summary>
    public void Offer(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!_channel.Writer.TryWrite(frame))
        {
            frame.Dispose();
        }
    }

    /// <summary>The oldest waiting frame (with capacity 1, the newest one), waiting for one if none is there. The caller disposes it.</summary>
    public ValueTask<VideoFrame> TakeAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAsync(cancellationToken);

    public bool TryTake(out VideoFrame? frame) => _channel.Reader.TryRead(out frame);

    /// <summary>No more frames: waiting takers end, and frames still waiting are released.</summary>
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out var frame))
        {
            frame.Dispose();
        }
    }
}
