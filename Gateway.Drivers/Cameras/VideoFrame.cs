using System.Buffers;

namespace Gateway.Drivers.Cameras;

/// <summary>
/// One raw RGB24 frame (row-major, 3 bytes a pixel, no padding) in a buffer rented from the shared
/// pool: at 1 frame/s a 640×480 frame is 900 KB, which would otherwise be a large-object-heap
/// allocation per frame. Whoever holds the frame disposes it, which returns the buffer.
/// </summary>
public sealed class VideoFrame : IDisposable
{
    private byte[]? _buffer;

    private VideoFrame(byte[] buffer, int width, int height)
    {
        _buffer = buffer;
        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }

    public int Length => Width * Height * 3;

    /// <summary>Position of the frame in its camera's stream since the gateway started (1 = the first).</summary>
    public long Sequence { get; internal set; }

    /// <summary>Monotonic time the frame was read (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long Timestamp { get; internal set; }

    public DateTimeOffset CapturedAt { get; internal set; }

    public ReadOnlySpan<byte> Pixels => Buffer.AsSpan(0, Length);

    internal Memory<byte> Writable => Buffer.AsMemory(0, Length);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(VideoFrame));

    public static VideoFrame Rent(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new VideoFrame(ArrayPool<byte>.Shared.Rent(checked(width * height * 3)), width, height);
    }

    /// <summary>The RGB of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        var at = ((y * Width) + x) * 3;
        var pixels = Pixels;
        return (pixels[at], pixels[at + 1], pixels[at + 2]);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
