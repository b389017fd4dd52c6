using Gateway.Inference.Models;

namespace Gateway.Tests.Inference.Models;

public sealed class ModelManifestReaderTests
{
    private const string Valid = """
        {
          "model": "yolo.onnx",
          "input": { "name": "images", "width": 640, "height": 480, "layout": "NCHW", "scale": "0-1", "resize": "letterbox" },
          "output": { "name": "output0", "layout": "yolo" },
          "labels": ["person", "bottle", "cup"],
          "scoreThreshold": 0.4, "iouThreshold": 0.5, "nms": "class-agnostic", "classes": ["bottle", "cup"], "maxDetections": 50
        }
        """;

    [Fact]
    public void Reads_every_field_and_resolves_the_model_beside_the_manifest()
    {
        var m = ModelManifestReader.Parse(Valid, "/srv/models/litter/manifest.json");
        Assert.Equal("/srv/models/litter/yolo.onnx", m.ModelPath);
        Assert.Equal(("images", 640, 480, TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Letterbox), (m.InputName, m.InputWidth, m.InputHeight, m.InputLayout, m.Scale, m.Resize));
        Assert.Equal(("output0", OutputLayout.Yolo), (m.OutputName, m.OutputLayout));
        Assert.Equal(["person", "bottle", "cup"], m.Labels);
        Assert.Equal(["bottle", "cup"], m.Classes);
        Assert.Equal((0.4f, 0.5f, NmsMode.ClassAgnostic, 50), (m.ScoreThreshold, m.IouThreshold, m.Nms, m.MaxDetections));
        Assert.Equal("class7", m.LabelOf(7));
    }

    [Fact]
    public void Defaults_are_the_usual_yolo_export()
    {
        var m = ModelManifestReader.Parse("""{"input":{"name":"x","width":320,"height":320},"output":{"name":"y","layout":"boxes"},"labels":["a"]}""", "/m/manifest.json");
        Assert.Equal("/m/model.onnx", m.ModelPath);
        Assert.Equal((TensorLayout.Nchw, PixelScale.ZeroToOne, ResizeMode.Letterbox, NmsMode.PerClass), (m.InputLayout, m.Scale, m.Resize, m.Nms));
        Assert.Equal((0.25f, 0.45f, 100), (m.ScoreThreshold, m.IouThreshold, m.MaxDetections));
        Assert.Empty(m.Classes);
    }

    [Theory]
    [InlineData("\"layout\": \"NCHW\"", "\"layout\": \"CHW\"", "input.layout: 'CHW' is not one of NCHW, NHWC")]
    [InlineData("\"scale\": \"0-1\"", "\"scale\": 255", "input.scale: 255 is not one of 0-1, 0-255")]
    [InlineData("\"resize\": \"letterbox\"", "\"resize\": \"crop\"", "input.resize: 'crop' is not one of letterbox, stretch")]
    [InlineData("\"layout\": \"yolo\"", "\"layout\": \"ssd\"", "output.layout: 'ssd' is not one of yolo, boxes")]
    [InlineData("\"width\": 640", "\"width\": 0", "input.width: must be an integer from 1 to 8192")]
    [InlineData("\"name\": \"images\", ", "", "input.name: is required")]
    [InlineData("\"scoreThreshold\": 0.4", "\"scoreThreshold\": 1.5", "scoreThreshold: must be a number from 0 to 1")]
    [InlineData("\"classes\": [\"bottle\", \"cup\"]", "\"classes\": [\"bottle\", \"litter\"]", "classes: 'litter' is not one of the labels")]
    [InlineData("[\"person\", \"bottle\", \"cup\"]", "[]", "labels: must list at least one class name")]
    [InlineData("\"person\", \"bottle\"", "\"person\", 3", "labels[1]: must be a non-empty string")]
    public void Errors_name_the_field(string find, string replace, string expected)
    {
        var e = Assert.Throws<ModelManifestException>(() => ModelManifestReader.Parse(Valid.Replace(find, replace, StringComparison.Ordinal), "m.json"));
        Assert.Equal($"m.json: {expected}", e.Message);
    }

    [Fact]
    public void Bad_json_and_a_missing_file_are_manifest_errors()
    {
        Assert.StartsWith("m.json: not valid JSON", Assert.Throws<ModelManifestException>(() => ModelManifestReader.Parse("{", "m.json")).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read the model manifest", Assert.Throws<ModelManifestException>(() => ModelManifestReader.ReadFile("/nonexistent/manifest.json")).Message, StringComparison.Ordinal);
    }
}
