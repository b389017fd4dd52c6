namespace Gateway.Inference.Scheduling;

/// <summary>
/// Decides whether a frame differs enough from the last analysed one to be worth the detector: both
/// are reduced to a small grey thumbnail (box average, 64×48 cells) and the share of cells whose grey
/// level moved by more than <see cref="PixelDelta"/> is compared with the threshold. A still street
/// then costs a thumbnail (well under a millisecond) instead of an inference; a frame is analysed at
/// least every <see cref="MotionGateOptions.MaxSkipSeconds"/> all the same, so slow changes (light,
/// a bottle set down gently) are never missed for longer than that. Used by one thread at a time.
/// </summary>
public sealed class MotionGate
{
    /// <summary>Grey levels a cell must move by to count as changed: above sensor noise and compression shimmer.</summary>
    public const int PixelDelta = 16;

    private const int CellsAcross = 64;
    private const int CellsDown = 48;

    private readonly double _minChangedPercent;
    private readonly TimeSpan _maxSkip;
    private readonly TimeProvider _time;
    private byte[] _reference = [];
    private byte[] _current = [];
    private long _referenceAt;
    private bool _hasReference;

    public MotionGate(MotionGateOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _minChangedPercent = options.MinChangedPercent;
        _maxSkip = TimeSpan.FromSeconds(options.MaxSkipSeconds);
        _time = time;
    }

    /// <summary>The changed share (percent of cells) of the last frame looked at.</summary>
    public double LastChangedPercent { get; private set; }

    /// <summary>True when the frame must be analysed; it then becomes the reference the next frames are compared with.</summary>
    public bool ShouldAnalyse(ReadOnlySpan<byte> rgb24, int width, int height, long timestamp)
    {
        var across = Math.Min(CellsAcross, width);
        var down = Math.Min(CellsDown, height);
        if (_current.Length != across * down)
        {
            // A new frame size (the first frame, or a camera reconfigured): nothing to compare with.
            _current = new byte[across * down];
            _reference = new byte[across * down];
            _hasReference = false;
        }
        Thumbnail(rgb24, width, height, across, down, _current);
        var analyse = !_hasReference || _time.GetElapsedTime(_referenceAt, timestamp) >= _maxSkip;
        LastChangedPercent = _hasReference ? ChangedPercent(_reference, _current) : 100;
        analyse |= LastChangedPercent >= _minChangedPercent;
        if (analyse)
        {
            (_reference, _current) = (_current, _reference);
            _referenceAt = timestamp;
            _hasReference = true;
        }
        return analyse;
    }

    private static double ChangedPercent(byte[] reference, byte[] current)
    {
        var changed = 0;
        for (var i = 0; i < current.Length; i++)
        {
            if (Math.Abs(current[i] - reference[i]) > PixelDelta)
            {
                changed++;
            }
        }
        return changed * 100.0 / current.Length;
    }

    /// <summary>Mean grey (BT.601 weights, integer) of each cell of a <paramref name="across"/>×<paramref name="down"/> grid.</summary>
    private static void Thumbnail(ReadOnlySpan<byte> rgb24, int width, int height, int across, int down, byte[] cells)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rgb24.Length, width * height * 3);
        for (var cy = 0; cy < down; cy++)
        {
            var y0 = cy * height / down;
            var y1 = (cy + 1) * height / down;
            for (var cx = 0; cx < across; cx++)
            {
                var x0 = cx * width / across;
                var x1 = (cx + 1) * width / across;
                long sum = 0;
                for (var y = y0; y < y1; y++)
                {
                    var row = rgb24.Slice(((y * width) + x0) * 3, (x1 - x0) * 3);
                    for (var i = 0; i < row.Length; i += 3)
                    {
                        sum += (row[i] * 77) + (row[i + 1] * 150) + (row[i + 2] * 29);
                    }
                }
                cells[(cy * across) + cx] = (byte)(sum / (256L * (x1 - x0) * (y1 - y0)));
            }
        }
    }
}
