using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Inference.Models;

namespace Gateway.Inference.Preprocessing;

/// <summary>
/// RGB24 frame → model input tensor: bilinear resize (pixel centres aligned, as OpenCV and
/// PIL do), letterbox or stretch, NCHW or NHWC, 0–1 or 0–255. Separable: each output row
/// blends two horizontally resampled source rows with <see cref="TensorPrimitives.Lerp{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, T, Span{T})"/>,
/// and the scale is one vector multiply. Buffers are sized for a frame size once: frames of an
/// unchanged size allocate nothing. Not thread-safe.
/// </summary>
public sealed class FramePreprocessor
{
    /// <summary>The grey YOLO models are trained with in letterbox borders.</summary>
    public const byte LetterboxGrey = 114;

    private readonly int _width;
    private readonly int _height;
    private readonly TensorLayout _layout;
    private readonly ResizeMode _resize;
    private readonly float _scale;

    private int _frameWidth = -1;
    private int _frameHeight = -1;
    private FrameTransform _transform;
    private int _contentWidth;
    private int _contentHeight;
    private int _padX;
    private int _padY;
    private int[] _x0 = [];
    private int[] _x1 = [];
    private float[] _fx = [];
    private float[] _rowA = [];
    private float[] _rowB = [];
    private float[] _blend = [];
    private int _rowASource = -1;
    private int _rowBSource = -1;

    public FramePreprocessor(int inputWidth, int inputHeight, TensorLayout layout, PixelScale scale, ResizeMode resize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputHeight, 1);
        _width = inputWidth;
        _height = inputHeight;
        _layout = layout;
        _resize = resize;
        _scale = scale == PixelScale.ZeroToOne ? 1f / 255f : 1f;
    }

    public FramePreprocessor(ModelManifest manifest)
        : this(manifest.InputWidth, manifest.InputHeight, manifest.InputLayout, manifest.Scale, manifest.Resize)
    {
    }

    public int InputLength => _width * _height * 3;

    /// <summary>Fills <paramref name="destination"/> (the model input, <see cref="InputLength"/> floats) from an RGB24 frame.</summary>
    public FrameTransform Prepare(ReadOnlySpan<byte> rgb24, int frameWidth, int frameHeight, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameHeight, 1);
        if (rgb24.Length < frameWidth * frameHeight * 3)
        {
            throw new ArgumentException($"an RGB24 frame of {frameWidth}x{frameHeight} needs {frameWidth * frameHeight * 3} bytes; got {rgb24.Length}", nameof(rgb24));
        }
        if (destination.Length != InputLength)
        {
            throw new ArgumentException($"the input tensor needs {InputLength} floats; got {destination.Length}", nameof(destination));
        }
        if (frameWidth != _frameWidth || frameHeight != _frameHeight)
        {
            Plan(frameWidth, frameHeight);
        }
        _rowASource = _rowBSource = -1;
        if (_contentWidth != _width || _contentHeight != _height)
        {
            destination.Fill(LetterboxGrey * _scale);
        }

        var rowLength = _contentWidth * 3;
        var plane = _width * _height;
        var scaleY = (float)_contentHeight / frameHeight;
        for (var oy = 0; oy < _contentHeight; oy++)
        {
            var sy = Math.Max(((oy + 0.5f) / scaleY) - 0.5f, 0f);
            var y0 = Math.Min((int)sy, frameHeight - 1);
            var y1 = Math.Min(y0 + 1, frameHeight - 1);
            var fy = Math.Min(sy - y0, 1f);
            var a = SourceRow(rgb24, frameWidth, y0);
            var b = SourceRow(rgb24, frameWidth, y1);
            var outY = _padY + oy;
            if (_layout == TensorLayout.Nhwc)
            {
                var target = destination.Slice(((outY * _width) + _padX) * 3, rowLength);
                TensorPrimitives.Lerp(a, b, fy, target);
                if (_scale != 1f)
                {
                    TensorPrimitives.Multiply(target, _scale, target);
                }
            }
            else
            {
                // Source rows are kept planar (RRR…GGG…BBB…) for NCHW, so each plane row is one blend.
                TensorPrimitives.Lerp(a, b, fy, _blend);
                if (_scale != 1f)
                {
                    TensorPrimitives.Multiply(_blend, _scale, _blend);
                }
                var offset = (outY * _width) + _padX;
                for (var c = 0; c < 3; c++)
                {
                    _blend.AsSpan(c * _contentWidth, _contentWidth).CopyTo(destination.Slice((c * plane) + offset, _contentWidth));
                }
            }
        }
        return _transform;
    }

    /// <summary>Source row <paramref name="y"/> resampled horizontally to the content width, cached for the next output row.</summary>
    private ReadOnlySpan<float> SourceRow(ReadOnlySpan<byte> rgb24, int frameWidth, int y)
    {
        if (y == _rowASource)
        {
            return _rowA;
        }
        if (y == _rowBSource)
        {
            return _rowB;
        }
        // Replace the row that is no longer needed: rows only move down.
        var useA = _rowASource < _rowBSource;
        var row = useA ? _rowA : _rowB;
        var source = rgb24.Slice(y * frameWidth * 3, frameWidth * 3);
        // The hot loop of the pre-processing: indices come from Plan() and are within the row
        // (x0, x1 ≤ frameWidth - 1), so it reads through refs without per-element bounds checks.
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetArrayDataReference(row);
        ref var x0 = ref MemoryMarshal.GetArrayDataReference(_x0);
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(_x1);
        ref var fx = ref MemoryMarshal.GetArrayDataReference(_fx);
        var n = _contentWidth;
        if (_layout == TensorLayout.Nchw)
        {
            // Planar (RRR…GGG…BBB…) so that each NCHW plane row is one blend later.
            ref var green = ref Unsafe.Add(ref dst, n);
            ref var blue = ref Unsafe.Add(ref dst, 2 * n);
            for (var ox = 0; ox < n; ox++)
            {
                ref var p0 = ref Unsafe.Add(ref src, Unsafe.Add(ref x0, ox));
                ref var p1 = ref Unsafe.Add(ref src, Unsafe.Add(ref x1, ox));
                var f = Unsafe.Add(ref fx, ox);
                Unsafe.Add(ref dst, ox) = p0 + (f * (p1 - p0));
                Unsafe.Add(ref green, ox) = Unsafe.Add(ref p0, 1) + (f * (Unsafe.Add(ref p1, 1) - Unsafe.Add(ref p0, 1)));
                Unsafe.Add(ref blue, ox) = Unsafe.Add(ref p0, 2) + (f * (Unsafe.Add(ref p1, 2) - Unsafe.Add(ref p0, 2)));
            }
        }
        else
        {
            for (var ox = 0; ox < n; ox++)
            {
                ref var p0 = ref Unsafe.Add(ref src, Unsafe.Add(ref x0, ox));
                ref var p1 = ref Unsafe.Add(ref src, Unsafe.Add(ref x1, ox));
                var f = Unsafe.Add(ref fx, ox);
                ref var o = ref Unsafe.Add(ref dst, 3 * ox);
                o = p0 + (f * (p1 - p0));
                Unsafe.Add(ref o, 1) = Unsafe.Add(ref p0, 1) + (f * (Unsafe.Add(ref p1, 1) - Unsafe.Add(ref p0, 1)));
                Unsafe.Add(ref o, 2) = Unsafe.Add(ref p0, 2) + (f * (Unsafe.Add(ref p1, 2) - Unsafe.Add(ref p0, 2)));
            }
        }
        if (useA)
        {
            _rowASource = y;
        }
        else
        {
            _rowBSource = y;
        }
        return row;
    }

    private void Plan(int frameWidth, int frameHeight)
    {
        if (_resize == ResizeMode.Stretch)
        {
            _contentWidth = _width;
            _contentHeight = _height;
            _padX = _padY = 0;
        }
        else
        {
            var r = Math.Min((double)_width / frameWidth, (double)_height / frameHeight);
            _contentWidth = Math.Clamp((int)Math.Round(frameWidth * r), 1, _width);
            _contentHeight = Math.Clamp((int)Math.Round(frameHeight * r), 1, _height);
            _padX = (_width - _contentWidth) / 2;
            _padY = (_height - _contentHeight) / 2;
        }
        var scaleX = (float)_contentWidth / frameWidth;
        _x0 = new int[_contentWidth];
        _x1 = new int[_contentWidth];
        _fx = new float[_contentWidth];
        for (var ox = 0; ox < _contentWidth; ox++)
        {
            var sx = Math.Max(((ox + 0.5f) / scaleX) - 0.5f, 0f);
            var x0 = Math.Min((int)sx, frameWidth - 1);
            _x0[ox] = x0 * 3;
            _x1[ox] = Math.Min(x0 + 1, frameWidth - 1) * 3;
            _fx[ox] = Math.Min(sx - x0, 1f);
        }
        _rowA = new float[_contentWidth * 3];
        _rowB = new float[_contentWidth * 3];
        _blend = new float[_contentWidth * 3];
        _frameWidth = frameWidth;
        _frameHeight = frameHeight;
        _transform = new FrameTransform(scaleX, (float)_contentHeight / frameHeight, _padX, _padY, frameWidth, frameHeight);
    }
}
