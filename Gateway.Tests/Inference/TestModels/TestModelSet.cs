using System.Text.Json;
using Gateway.Inference.Models;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.TestModels;

/// <summary>
/// The tiny models of make_test_models.py, built once per test run with Debian's python3-onnx
/// into a temporary directory, and the values numpy computed for them.
/// </summary>
public sealed class TestModelSet : IDisposable
{
    private readonly TempDirectory _directory = new("gw-onnx-models");

    public TestModelSet()
    {
        ExternalTool.RequirePythonModules("onnx", "numpy");
        var script = Repo.PathOf("Gateway.Tests", "Inference", "TestModels", "make_test_models.py");
        var result = ExternalTool.Run(ExternalTool.Python, [script, _directory.Path], TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_test_models.py failed: {result.StdErr}");
        }
        Expected = JsonDocument.Parse(File.ReadAllText(_directory.File("expected.json")));
    }

    public JsonDocument Expected { get; }

    public string Directory => _directory.Path;

    public string PathOf(string model) => _directory.File(model + ".onnx");

    public float[] ExpectedValues(string model, string name) =>
        Expected.RootElement.GetProperty(model).GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    /// <summary>A manifest that matches yolo_head.onnx: NCHW 64x64 letterbox, [1,7,5] head, 3 labels.</summary>
    public ModelManifest YoloManifest() => new()
    {
        ManifestPath = "yolo.json",
        ModelPath = PathOf("yolo_head"),
        InputName = "images",
        InputWidth = 64,
        InputHeight = 64,
        OutputName = "output0",
        OutputLayout = OutputLayout.Yolo,
        Labels = ["person", "bottle", "cup"],
        ScoreThreshold = 0.5f,
        IouThreshold = 0.45f,
    };

    public void Dispose()
    {
        Expected.Dispose();
        _directory.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TestModelCollection : ICollectionFixture<TestModelSet>
{
    public const string Name = "tiny ONNX models";
}
