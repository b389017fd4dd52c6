using Gateway.Inference.Detectors;
using Gateway.Inference.Models;
using Gateway.Tests.Inference.TestModels;

namespace Gateway.Tests.Inference.Models;

/// <summary>A model whose real inputs or outputs contradict its manifest is refused at load, naming the mismatch.</summary>
[Collection(TestModelCollection.Name)]
public sealed class ModelContractTests(TestModelSet models)
{
    private ModelManifest Yolo() => models.YoloManifest();

    [Fact]
    public void A_matching_manifest_loads()
    {
        using var model = DetectionModel.Load(Yolo());
        Assert.Equal("images", model.Session.Inputs[0].Name);
    }

    [Fact]
    public void Wrong_input_name()
    {
        var e = Refused(Yolo() with { InputName = "input" });
        Assert.Contains("input.name is 'input' but the model's inputs are images float[1,3,64,64]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_input_size()
    {
        var e = Refused(Yolo() with { InputWidth = 640, InputHeight = 640 });
        Assert.Contains("input 'images' has shape [1,3,64,64]; the manifest's NCHW 640x640 RGB input means [1,3,640,640]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_input_layout()
    {
        var e = Refused(Yolo() with { InputLayout = TensorLayout.Nhwc });
        Assert.Contains("the manifest's NHWC 64x64 RGB input means [1,64,64,3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_output_name()
    {
        var e = Refused(Yolo() with { OutputName = "detections" });
        Assert.Contains("output.name is 'detections' but the model's outputs are output0 float[1,7,5]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yolo_head_with_another_class_count_than_the_labels()
    {
        var e = Refused(Yolo() with { Labels = [.. Enumerable.Range(0, 80).Select(i => $"c{i}")] });
        Assert.Contains("output 'output0' has shape [1,7,5]: 3 classes, but the manifest lists 80 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Boxes_layout_on_a_yolo_head()
    {
        var e = Refused(Yolo() with { OutputLayout = OutputLayout.Boxes });
        Assert.Contains("output 'output0' has shape [1,7,5]; output.layout 'boxes' means [1,N,6]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_is_named()
    {
        var e = Refused(Yolo() with { ModelPath = "/nonexistent/model.onnx" });
        Assert.Equal("yolo.json: model file /nonexistent/model.onnx does not exist", e.Message);
    }

    private static ModelManifestException Refused(ModelManifest manifest)
    {
        var e = Assert.Throws<ModelManifestException>(() => DetectionModel.Load(manifest).Dispose());
        Assert.StartsWith("yolo.json: ", e.Message, StringComparison.Ordinal);
        return e;
    }
}
