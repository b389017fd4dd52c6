using System.Numerics;
using Gateway.Inference.Models;
using Gateway.Inference.Preprocessing;

namespace Gateway.Inference.Postprocessing;

/// <summary>
/// Model output → detections in frame pixels: decode (<see cref="OutputLayout.Yolo"/> heads or
/// ready <see cref="OutputLayout.Boxes"/>), confidence and class filter, NMS, map back through
/// the <see cref="FrameTransform"/>. Buffers are sized once per output size; decoding a frame
/// allocates nothing. Not thread-safe.
/// </summary>
public sealed class DetectionDecoder
{
    private readonly OutputLayout _layout;
    private readonly float _scoreThreshold;
    private readonly float _iouThreshold;
    private readonly NmsMode _nms;
    private readonly int _maxDetections;
    private readonly bool[] _classAllowed;
    private Detection[] _candidates = [];
    private float[] _bestScore = [];
    private int[] _bestClass = [];

    public DetectionDecoder(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _layout = manifest.OutputLayout;
        _scoreThreshold = manifest.ScoreThreshold;
        _iouThreshold = manifest.IouThreshold;
        _nms = manifest.Nms;
        _maxDetections = manifest.MaxDetections;
        _classAllowed = manifest.Labels.Select(l => manifest.Classes.Count == 0 || manifest.Classes.Contains(l, StringComparer.Ordinal)).ToArray();
    }

    /// <summary>Decodes <paramref name="output"/> of shape <paramref name="shape"/>; the result is valid until the next call.</summary>
    public ReadOnlySpan<Detection> Decode(ReadOnlySpan<float> output, ReadOnlySpan<long> shape, FrameTransform transform)
    {
        if (shape.Length != 3)
        {
            throw new ArgumentException($"a detector output has rank 3; got [{string.Join(",", shape.ToArray())}]", nameof(shape));
        }
        var count = _layout == OutputLayout.Yolo ? DecodeYolo(output, (int)shape[1], (int)shape[2]) : DecodeBoxes(output, (int)shape[1], (int)shape[2]);
        var kept = NonMaxSuppression.Apply(_candidates.AsSpan(0, count), _iouThreshold, _nms, _maxDetections);
        for (var i = 0; i < kept; i++)
        {
            ref var d = ref _candidates[i];
            d = d with
            {
                X1 = transform.ToFrameX(d.X1),
                Y1 = transform.ToFrameY(d.Y1),
                X2 = transform.ToFrameX(d.X2),
                Y2 = transform.ToFrameY(d.Y2),
            };
        }
        return _candidates.AsSpan(0, kept);
    }

    /// <summary>[1, N, 6] rows of x1, y1, x2, y2, score, class.</summary>
    private int DecodeBoxes(ReadOnlySpan<float> output, int n, int width)
    {
        if (width != 6)
        {
            throw new ArgumentException($"a 'boxes' output has 6 values per box; got {width}");
        }
        EnsureCandidates(n);
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var row = output.Slice(i * 6, 6);
            var score = row[4];
            var cls = row[5];
            // NaN scores and classes (padding rows of some exports) fail these comparisons too.
            if (!(score >= _scoreThreshold) || !(cls >= 0) || cls >= _classAllowed.Length || !_classAllowed[(int)cls])
            {
                continue;
            }
            _candidates[count++] = new Detection((int)cls, score, row[0], row[1], row[2], row[3]);
        }
        return count;
    }

    /// <summary>[1, 4+C, N]: row-major, so each class row is contiguous over the N candidates; the argmax runs a vector of candidates at a time.</summary>
    private int DecodeYolo(ReadOnlySpan<float> output, int rows, int n)
    {
        var classes = rows - 4;
        if (classes < 1)
        {
            throw new ArgumentException($"a 'yolo' output has 4 + C rows; got {rows}");
        }
        EnsureCandidates(n);
        if (_bestScore.Length < n)
        {
            _bestScore = new float[n];
            _bestClass = new int[n];
        }
        var best = _bestScore.AsSpan(0, n);
        var bestClass = _bestClass.AsSpan(0, n);
        output.Slice(4 * n, n).CopyTo(best);
        bestClass.Clear();
        for (var c = 1; c < classes; c++)
        {
            var row = output.Slice((4 + c) * n, n);
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var classVector = new Vector<int>(c);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var score = new Vector<float>(row[i..]);
                    var current = new Vector<float>(best[i..]);
                    var greater = Vector.GreaterThan(score, current);
                    Vector.ConditionalSelect(greater, score, current).CopyTo(best[i..]);
                    Vector.ConditionalSelect(greater, classVector, new Vector<int>(bestClass[i..])).CopyTo(bestClass[i..]);
                }
            }
            for (; i < n; i++)
            {
                if (row[i] > best[i])
                {
                    best[i] = row[i];
                    bestClass[i] = c;
                }
            }
        }
        var cx = output.Slice(0, n);
        var cy = output.Slice(n, n);
        var w = output.Slice(2 * n, n);
        var h = output.Slice(3 * n, n);
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var cls = bestClass[i];
            if (!(best[i] >= _scoreThreshold) || cls >= _classAllowed.Length || !_classAllowed[cls])
            {
                continue;
            }
            var halfW = w[i] * 0.5f;
            var halfH = h[i] * 0.5f;
            _candidates[count++] = new Detection(cls, best[i], cx[i] - halfW, cy[i] - halfH, cx[i] + halfW, cy[i] + halfH);
        }
        return count;
    }

    private void EnsureCandidates(int n)
    {
        if (_candidates.Length < n)
        {
            _candidates = new Detection[n];
        }
    }
}
