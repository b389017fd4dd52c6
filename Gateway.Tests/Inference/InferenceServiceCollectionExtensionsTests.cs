using Gateway.Inference;
using Gateway.Inference.Detectors;
using Gateway.Tests.Inference.TestModels;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Inference;

[Collection(TestModelCollection.Name)]
public sealed class InferenceServiceCollectionExtensionsTests(TestModelSet models)
{
    [Fact]
    public void The_registered_loader_loads_a_model_by_its_manifest()
    {
        using var dir = new TempDirectory();
        File.Copy(models.PathOf("yolo_head"), dir.File("model.onnx"));
        File.WriteAllText(dir.File("manifest.json"), """
            { "input": { "name": "images", "width": 64, "height": 64 },
              "output": { "name": "output0", "layout": "yolo" },
              "labels": ["person", "bottle", "cup"], "scoreThreshold": 0.5 }
            """);
        using var services = new ServiceCollection().AddLogging().AddOnNodeInference(o => o.IntraOpThreads = 1).BuildServiceProvider();
        using var model = services.GetRequiredService<IDetectionModelLoader>().Load(dir.File("manifest.json"));
        using var detector = model.CreateDetector();
        Assert.Equal(3, detector.Detect(new byte[64 * 64 * 3], 64, 64).Length);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        using var services = new ServiceCollection().AddLogging()
            .AddOnNodeInference(o => (o.IntraOpThreads, o.OnnxRuntimePath) = (65, "/nonexistent/libonnxruntime.so.1")).BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<InferenceOptions>>().Value);
        Assert.Contains("inference.intraOpThreads must be from 0 to 64", e.Failures);
        Assert.Contains("inference.onnxRuntimePath names a file that does not exist", e.Failures);
    }
}
