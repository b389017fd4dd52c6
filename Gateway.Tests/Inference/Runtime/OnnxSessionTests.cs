using Gateway.Inference.Runtime;
using Gateway.Tests.Inference.TestModels;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Runtime;

[Collection(TestModelCollection.Name)]
public sealed class OnnxSessionTests(TestModelSet models)
{
    [Fact]
    public void Loads_the_pinned_runtime_and_its_api_table_slots_behave_as_declared()
    {
        Assert.Equal("1.22.0", OnnxRuntimeLibrary.Version());
        Assert.EndsWith($"native/onnxruntime/{OnnxRuntimeLibrary.RuntimeIdentifier}/libonnxruntime.so.1", OnnxRuntimeLibrary.LoadedFrom, StringComparison.Ordinal);

        // Slots 0 (CreateStatus), 1 (GetErrorCode), 2 (GetErrorMessage), 93 (ReleaseStatus):
        // a status made with a code and a message must come back with the same ones.
        var error = OnnxRuntimeLibrary.Api().RoundTripStatus(OrtErrorCode.InvalidGraph, "slot check ü");
        Assert.Equal(OrtErrorCode.InvalidGraph, error.Code);
        Assert.Equal("slot check ü", error.OrtMessage);
    }

    [Fact]
    public void Session_option_slots_reach_the_functions_they_name()
    {
        // Slot 23 (SetSessionGraphOptimizationLevel) validates its level; slot 130
        // (AddSessionConfigEntry) its key: their own messages prove the right functions are called.
        var level = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { GraphOptimization = (GraphOptimization)5 }));
        Assert.Equal((OrtErrorCode.InvalidArgument, "graph_optimization_level is not valid"), (level.Code, level.OrtMessage));

        var options = new OnnxSessionOptions();
        options.ConfigEntries[""] = "1";
        var entry = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(models.PathOf("affine"), options));
        Assert.StartsWith("Config key is empty", entry.OrtMessage, StringComparison.Ordinal);

        using var basic = OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { GraphOptimization = GraphOptimization.Basic, IntraOpThreads = 1, AllowSpinning = true });
        Assert.Equal("x", basic.Inputs[0].Name);
    }

    [Fact]
    public void Describes_inputs_and_outputs_as_the_model_declares_them()
    {
        using var session = OnnxSession.Open(models.PathOf("affine"));
        var input = Assert.Single(session.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([1L, 3, 2, 2], input.Shape);
        Assert.Equal(["y", "z"], session.Outputs.Select(o => o.Name));
        Assert.Equal([1L, 2, 2, 2], session.Outputs[0].Shape);
        Assert.Empty(session.Outputs[1].Shape);

        using var dynamic = OnnxSession.Open(models.PathOf("dynamic"));
        Assert.Equal([-1L, 4], dynamic.Inputs[0].Shape);
    }

    [Fact]
    public void Computes_exactly_what_numpy_computes()
    {
        using var session = OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { IntraOpThreads = 1 });
        var outputs = session.Run([new NamedTensor("x", models.ExpectedValues("affine", "x"), [1, 3, 2, 2])]);
        AssertClose(models.ExpectedValues("affine", "y"), outputs[0].Data, 1e-6f);
        Assert.Equal([1L, 2, 2, 2], outputs[0].Shape);
        Assert.Equal(models.Expected.RootElement.GetProperty("affine").GetProperty("z").GetDouble(), outputs[1].Data[0], 4);
    }

    [Fact]
    public void Runner_writes_into_bound_buffers_and_reads_symbolic_outputs()
    {
        using var session = OnnxSession.Open(File.ReadAllBytes(models.PathOf("affine")));
        using var runner = session.CreateRunner();
        models.ExpectedValues("affine", "x").CopyTo(runner.Input(0));
        runner.Run();
        AssertClose(models.ExpectedValues("affine", "y"), runner.Output(0).ToArray(), 1e-6f);

        using var dynamic = OnnxSession.Open(models.PathOf("dynamic"));
        using var dynamicRunner = dynamic.CreateRunner([[3, 4]]);
        models.ExpectedValues("dynamic", "x").CopyTo(dynamicRunner.Input(0));
        dynamicRunner.Run();
        dynamicRunner.Run(); // the previous ORT-allocated output is released, the new one read
        Assert.Equal([3L, 4], dynamicRunner.OutputShape(0).ToArray());
        Assert.Equal(models.ExpectedValues("dynamic", "y"), dynamicRunner.Output(0).ToArray());
    }

    [Fact]
    public void Runner_refuses_a_symbolic_input_without_a_concrete_shape()
    {
        using var session = OnnxSession.Open(models.PathOf("dynamic"));
        var e = Assert.Throws<ArgumentException>(() => session.CreateRunner());
        Assert.Contains("input 'x' needs a concrete shape", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_model_file_is_an_ort_error_naming_the_file()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(dir.File("absent.onnx")));
        Assert.Equal(OrtErrorCode.NoSuchFile, e.Code);
        Assert.Contains("absent.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_model_is_an_ort_error()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("garbage.onnx"), "this is not a protobuf model");
        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(dir.File("garbage.onnx")));
        Assert.Equal(OrtErrorCode.InvalidProtobuf, e.Code);
        var fromBytes = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open([1, 2, 3, 4]));
        Assert.Equal(OrtErrorCode.InvalidProtobuf, fromBytes.Code);
    }

    [Fact]
    public void Wrong_input_shape_and_wrong_input_name_are_ort_errors_and_the_session_still_works()
    {
        using var session = OnnxSession.Open(models.PathOf("affine"));
        var shape = Assert.Throws<OnnxRuntimeException>(() => session.Run([new NamedTensor("x", new float[6], [1, 3, 2, 1])]));
        Assert.Equal(OrtErrorCode.InvalidArgument, shape.Code);
        Assert.Contains("dimensions", shape.OrtMessage, StringComparison.OrdinalIgnoreCase);

        var name = Assert.Throws<OnnxRuntimeException>(() => session.Run([new NamedTensor("images", new float[12], [1, 3, 2, 2])]));
        Assert.Equal(OrtErrorCode.InvalidArgument, name.Code);
        Assert.Contains("images", name.OrtMessage, StringComparison.Ordinal);

        var ok = session.Run([new NamedTensor("x", models.ExpectedValues("affine", "x"), [1, 3, 2, 2])]);
        AssertClose(models.ExpectedValues("affine", "y"), ok[0].Data, 1e-6f);
    }

    [Fact]
    public void A_configured_library_path_that_does_not_exist_is_named_in_the_error()
    {
        // The configured path is the only candidate: a typo must not fall back to another library.
        Assert.Equal(["/nonexistent/libonnxruntime.so.1"], OnnxRuntimeLibrary.Candidates("/nonexistent/libonnxruntime.so.1"));
        var e = Assert.Throws<DllNotFoundException>(() => OnnxRuntimeLibrary.LoadLibrary("/nonexistent/libonnxruntime.so.1"));
        Assert.Contains("/nonexistent/libonnxruntime.so.1: no such file", e.Message, StringComparison.Ordinal);
        Assert.Contains("tools/setup.sh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_configured_path_the_search_is_beside_the_application_by_architecture_then_the_system()
    {
        Assert.Equal(
            [Path.Combine(AppContext.BaseDirectory, "native", "onnxruntime", OnnxRuntimeLibrary.RuntimeIdentifier, "libonnxruntime.so.1"), "libonnxruntime.so.1", "libonnxruntime.so"],
            OnnxRuntimeLibrary.Candidates(null));
        Assert.True(File.Exists(OnnxRuntimeLibrary.Candidates(null)[0]), "the build copies native/onnxruntime/<rid>/ next to the application");
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
