using Gateway.Inference.Detectors;
using Gateway.Inference.Models;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Inference.TestModels;

namespace Gateway.Tests.Inference.Detectors;

/// <summary>The whole per-frame pipeline over real ONNX Runtime sessions of the tiny constant-head models.</summary>
[Collection(TestModelCollection.Name)]
public sealed class ObjectDetectorTests(TestModelSet models)
{
    private ModelManifest Yolo() => models.YoloManifest();

    private ModelManifest Boxes() => new()
    {
        ModelPath = models.PathOf("boxes_head"),
        InputName = "input",
        InputWidth = 32,
        InputHeight = 32,
        InputLayout = TensorLayout.Nhwc,
        Scale = PixelScale.ZeroTo255,
        Resize = ResizeMode.Stretch,
        OutputName = "output0",
        OutputLayout = OutputLayout.Boxes,
        Labels = ["person", "bottle", "cup"],
        ScoreThreshold = 0.3f,
        IouThreshold = 0.5f,
    };

    [Fact]
    public void Yolo_head_is_decoded_suppressed_per_class_and_mapped_out_of_the_letterbox()
    {
        using var model = DetectionModel.Load(Yolo());
        using var detector = model.CreateDetector();
        // 128x64 into 64x64: scale 0.5, content 64x32 at y 16..48. Frame = (input - pad) / 0.5.
        var found = detector.Detect(new byte[128 * 64 * 3], 128, 64).ToArray();
        Assert.Equal(
            [
                new Detection(0, 0.9f, 30, 8, 50, 48),  // cx 20 cy 30 w 10 h 20 in the input
                new Detection(1, 0.7f, 32, 10, 52, 50), // same spot as a suppressed class-0 box; another class
                new Detection(2, 0.6f, 92, 0, 108, 0),  // y 6..14 is inside the top padding: clamped to the frame
            ],
            found.Select(d => d with { Score = MathF.Round(d.Score, 4) }));
    }

    [Fact]
    public void Class_agnostic_nms_and_class_filters_apply()
    {
        using var model = DetectionModel.Load(Yolo() with { Nms = NmsMode.ClassAgnostic, Classes = ["person", "bottle"] });
        using var detector = model.CreateDetector();
        Assert.Equal([0], detector.Detect(new byte[64 * 64 * 3], 64, 64).ToArray().Select(d => d.ClassId));
    }

    [Fact]
    public void Boxes_head_nhwc_stretch()
    {
        using var model = DetectionModel.Load(Boxes() with { Nms = NmsMode.ClassAgnostic });
        using var detector = model.CreateDetector();
        // 64x96 stretched to 32x32: x × 2, y × 3.
        var found = detector.Detect(new byte[64 * 96 * 3], 64, 96).ToArray();
        Assert.Equal(
            [new Detection(0, 0.95f, 8, 12, 24, 60), new Detection(1, 0.5f, 40, 60, 60, 90)],
            found.Select(d => d with { Score = MathF.Round(d.Score, 4) }));
    }

    [Fact]
    public void Steady_state_frames_allocate_nothing()
    {
        using var model = DetectionModel.Load(Yolo());
        using var detector = model.CreateDetector();
        var frame = new byte[160 * 120 * 3];
        detector.Detect(frame, 160, 120);
        detector.Detect(frame, 160, 120);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            detector.Detect(frame, 160, 120);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
