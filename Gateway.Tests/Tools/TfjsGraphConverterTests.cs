using System.Text.Json;
using Gateway.Inference.Runtime;
using Gateway.Tests.Support;

namespace Gateway.Tests.Tools;

/// <summary>
/// tools/tfjs_graph_to_onnx.py, our TF.js-graph → ONNX converter: a small graph with the
/// CenterNet graph's op types and attribute cases (make_tfjs_graph.py), converted and run in
/// ONNX Runtime, against numpy implementations of TensorFlow's op semantics.
/// </summary>
public sealed class TfjsGraphConverterTests
{
    private static readonly string Converter = Repo.PathOf("tools", "tfjs_graph_to_onnx.py");

    private static TempDirectory MakeGraph()
    {
        ExternalTool.RequirePythonModules("onnx", "numpy");
        var dir = new TempDirectory("gw-tfjs");
        var made = ExternalTool.Run(ExternalTool.Python, [Repo.PathOf("Gateway.Tests", "Tools", "make_tfjs_graph.py"), dir.Path], TimeSpan.FromSeconds(60));
        Assert.True(made.ExitCode == 0, made.StdErr);
        return dir;
    }

    private static ExternalTool.Result Convert(TempDirectory dir) =>
        ExternalTool.Run(ExternalTool.Python, [Converter, dir.File("model.json"), dir.File("model.onnx"), "--input", "images=images", "--output", "detections=detections"], TimeSpan.FromSeconds(60));

    [Fact]
    public void Converted_graph_computes_what_tensorflow_semantics_give()
    {
        using var dir = MakeGraph();
        var converted = Convert(dir);
        Assert.True(converted.ExitCode == 0, converted.StdErr);

        using var expected = JsonDocument.Parse(File.ReadAllText(dir.File("expected.json")));
        float[] Values(string name) => expected.RootElement.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        using var session = OnnxSession.Open(dir.File("model.onnx"));
        Assert.Equal("images float[1,10,10,3]", session.Inputs.Single().ToString());
        var output = session.Run([new NamedTensor("images", Values("input"), [1, 10, 10, 3])]).Single();

        Assert.Equal(expected.RootElement.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()), output.Shape);
        var want = Values("output");
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(want[i] - output.Data[i]) <= 1e-3f * Math.Max(1, Math.Abs(want[i])), $"[{i}]: expected {want[i]}, got {output.Data[i]}");
        }
    }

    [Fact]
    public void An_unknown_op_is_an_error_naming_it()
    {
        using var dir = MakeGraph();
        var json = File.ReadAllText(dir.File("model.json")).Replace("\"op\": \"Sigmoid\"", "\"op\": \"Softplus\"", StringComparison.Ordinal);
        File.WriteAllText(dir.File("model.json"), json);
        var converted = Convert(dir);
        Assert.Equal(1, converted.ExitCode);
        Assert.Contains("se_sig: TF op Softplus is not supported", converted.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("model.onnx")));
    }

    [Fact]
    public void Weights_that_do_not_fill_the_shards_exactly_are_refused()
    {
        using var dir = MakeGraph();
        File.AppendAllText(dir.File("weights.bin"), "extra");
        var converted = Convert(dir);
        Assert.Equal(1, converted.ExitCode);
        Assert.Contains("weights: read", converted.StdErr, StringComparison.Ordinal);
    }
}
