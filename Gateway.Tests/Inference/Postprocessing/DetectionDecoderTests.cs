using Gateway.Inference.Models;
using Gateway.Inference.Postprocessing;
using Gateway.Inference.Preprocessing;

namespace Gateway.Tests.Inference.Postprocessing;

public sealed class DetectionDecoderTests
{
    private static readonly FrameTransform Identity = new(1, 1, 0, 0, 1000, 1000);

    private static ModelManifest Manifest(OutputLayout layout, int classes) => new()
    {
        ModelPath = "m.onnx",
        InputName = "x",
        InputWidth = 640,
        InputHeight = 640,
        OutputName = "y",
        OutputLayout = layout,
        Labels = [.. Enumerable.Range(0, classes).Select(i => $"c{i}")],
        ScoreThreshold = 0.5f,
        IouThreshold = 0.5f,
    };

    /// <summary>A [1, 4+C, N] head from per-candidate rows (cx, cy, w, h, scores…).</summary>
    private static float[] YoloHead(params float[][] candidates)
    {
        var rows = candidates[0].Length;
        var n = candidates.Length;
        var head = new float[rows * n];
        for (var i = 0; i < n; i++)
        {
            for (var r = 0; r < rows; r++)
            {
                head[(r * n) + i] = candidates[i][r];
            }
        }
        return head;
    }

    [Fact]
    public void Yolo_decodes_centre_size_to_corners_and_takes_the_best_class()
    {
        // 20 candidates so that the vector argmax and its scalar tail both run.
        var candidates = Enumerable.Range(0, 20).Select(i => new float[] { (i * 50) + 25, 100, 20, 40, 0.1f, 0.1f, 0.1f }).ToArray();
        candidates[3] = [175, 100, 20, 40, 0.2f, 0.3f, 0.9f];
        candidates[17] = [875, 300, 10, 10, 0.6f, 0.55f, 0.1f];
        var decoder = new DetectionDecoder(Manifest(OutputLayout.Yolo, 3));
        var found = decoder.Decode(YoloHead(candidates), [1, 7, 20], Identity).ToArray();
        Assert.Equal([new Detection(2, 0.9f, 165, 80, 185, 120), new Detection(0, 0.6f, 870, 295, 880, 305)], found);
    }

    [Fact]
    public void Yolo_applies_per_class_nms_and_the_class_filter()
    {
        var head = YoloHead(
            [100, 100, 50, 50, 0.9f, 0.0f],
            [102, 100, 50, 50, 0.8f, 0.0f],
            [102, 100, 50, 50, 0.0f, 0.7f]);
        Assert.Equal([0, 1], new DetectionDecoder(Manifest(OutputLayout.Yolo, 2)).Decode(head, [1, 6, 3], Identity).ToArray().Select(d => d.ClassId));
        var onlyC1 = new DetectionDecoder(Manifest(OutputLayout.Yolo, 2) with { Classes = ["c1"] });
        Assert.Equal([1], onlyC1.Decode(head, [1, 6, 3], Identity).ToArray().Select(d => d.ClassId));
    }

    [Fact]
    public void Boxes_skip_low_scores_unknown_classes_and_nan_rows_and_map_back_to_the_frame()
    {
        float[] output =
        [
            10, 20, 30, 40, 0.9f, 1,
            10, 20, 30, 40, 0.4f, 0,          // below threshold
            50, 50, 60, 60, 0.8f, 7,          // class 7 is not a label
            0, 0, 1, 1, float.NaN, float.NaN, // padding row
            100, 120, 140, 160, 0.7f, 0,
        ];
        var transform = new FrameTransform(0.5f, 0.5f, 0, 16, 1280, 960); // letterboxed 1280x960 into 640x640
        var found = new DetectionDecoder(Manifest(OutputLayout.Boxes, 2)).Decode(output, [1, 5, 6], transform).ToArray();
        Assert.Equal([new Detection(1, 0.9f, 20, 8, 60, 48), new Detection(0, 0.7f, 200, 208, 280, 288)], found);
    }

    [Fact]
    public void Decoding_again_allocates_nothing()
    {
        var decoder = new DetectionDecoder(Manifest(OutputLayout.Yolo, 3));
        var head = YoloHead(Enumerable.Range(0, 64).Select(i => new float[] { i * 30, 100, 20, 20, (i % 10) / 10f, 0.2f, 0.3f }).ToArray());
        long[] shape = [1, 7, 64]; // a collection expression at the call would allocate in the test itself
        decoder.Decode(head, shape, Identity);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = decoder.Decode(head, shape, Identity).Length;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(count > 0);
    }
}
