using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Gateway.Inference.Runtime;
using GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel;
using Gateway.Tests.Inference.TestModels;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Runtime;

[Collection(TestModelCollection.Name)]
public sealed class OnnxSessionTests(TestModelSet models)
{
    [Fact]
    public void Loads_the_packaged_runtime_for_this_architecture()
    {
        Assert.Equal("1.31.1", OnnxRuntimeLibrary.Version());
        Assert.EndsWith($"runtimes/{Rid}/native/libonnxruntime.so", OnnxRuntimeLibrary.LoadedFrom, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_options_reach_onnx_runtime()
    {
        // ORT validates the level and the config key itself: its own messages prove the options arrive.
        var level = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { GraphOptimization = (GraphOptimizationLevel)5 }));
        Assert.Equal(OrtErrorCode.InvalidArgument, level.Code);
        Assert.Contains("graph_optimization_level is not valid", level.OrtMessage, StringComparison.Ordinal);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(level.InnerException);

        var options = new OnnxSessionOptions();
        options.ConfigEntries[""] = "1";
        var entry = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(models.PathOf("affine"), options));
        Assert.StartsWith("Config key is empty", entry.OrtMessage, StringComparison.Ordinal);

        using var basic = OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { GraphOptimization = GraphOptimizationLevel.ORT_ENABLE_BASIC, IntraOpThreads = 1, AllowSpinning = true });
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

        Assert.Equal("y float[1,2,2,2]", session.Outputs[0].ToString());
        Assert.Equal(("make_test_models", "affine", 3L), (session.Metadata.ProducerName, session.Metadata.GraphName, session.Metadata.Version));
        Assert.Equal("gateway tests", session.Metadata.Custom["purpose"]);

        using var dynamic = OnnxSession.Open(models.PathOf("dynamic"));
        Assert.Equal([-1L, 4], dynamic.Inputs[0].Shape);
        Assert.False(dynamic.Outputs[0].IsFixed);
        Assert.Equal("x float[N,4]", dynamic.Inputs[0].ToString());
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
        Assert.Equal(models.Expected.RootElement.GetProperty("affine").GetProperty("z").GetDouble(), runner.Output(1)[0], 4);

        // Both outputs have fixed shapes, so they are bound once to pinned buffers: nothing per run.
        runner.Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            runner.Run();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

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
    public void Using_a_disposed_session_or_a_runner_of_one_throws_instead_of_crashing()
    {
        var session = OnnxSession.Open(models.PathOf("affine"));
        var runner = session.CreateRunner();
        var input = new NamedTensor("x", models.ExpectedValues("affine", "x"), [1, 3, 2, 2]);
        session.Dispose();

        Assert.True(session.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => session.Run([input]));
        Assert.Throws<ObjectDisposedException>(() => session.CreateRunner());
        var e = Assert.Throws<ObjectDisposedException>(runner.Run);
        Assert.Contains(nameof(OnnxSession), e.Message, StringComparison.Ordinal);

        runner.Dispose(); // the last reference: ORT's session is released here
        Assert.Throws<ObjectDisposedException>(runner.Run);
        runner.Dispose();
        session.Dispose();
    }

    [Fact]
    public void A_disposed_runner_throws_and_its_session_keeps_working()
    {
        using var session = OnnxSession.Open(models.PathOf("affine"));
        var runner = session.CreateRunner();
        runner.Dispose();
        Assert.Throws<ObjectDisposedException>(runner.Run);

        var outputs = session.Run([new NamedTensor("x", models.ExpectedValues("affine", "x"), [1, 3, 2, 2])]);
        AssertClose(models.ExpectedValues("affine", "y"), outputs[0].Data, 1e-6f);
    }

    [Fact]
    public void A_configured_library_path_that_does_not_exist_is_an_error_naming_it_and_nothing_else_is_loaded_instead()
    {
        var e = Assert.Throws<DllNotFoundException>(() => OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { LibraryPath = "/nonexistent/libonnxruntime.so" }));
        Assert.Equal("inference.onnxRuntimePath /nonexistent/libonnxruntime.so: no such file", e.Message);

        // The failed attempt must not have broken ONNX Runtime for the process.
        using var session = OnnxSession.Open(models.PathOf("affine"));
        Assert.Equal("x", session.Inputs[0].Name);
    }

    [Fact]
    public void The_packaged_library_given_by_path_is_the_one_that_runs()
    {
        var packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", Rid, "native", "libonnxruntime.so");
        Assert.True(File.Exists(packaged), packaged);

        using var session = OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { LibraryPath = packaged });
        var outputs = session.Run([new NamedTensor("x", models.ExpectedValues("affine", "x"), [1, 3, 2, 2])]);
        AssertClose(models.ExpectedValues("affine", "y"), outputs[0].Data, 1e-6f);
        Assert.Equal(packaged, OnnxRuntimeLibrary.LoadedFrom);
    }

    [Fact]
    public void A_configured_library_is_the_file_the_package_binds_to()
    {
        // This process already runs the packaged library, and the resolver can be set once per
        // assembly: a fresh load context gets its own copy of the package and of our wrapper, as a
        // new process would. A copy of the library under another name must be what it binds to.
        using var dir = new TempDirectory();
        var copy = dir.File("libort-copy.so");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", Rid, "native", "libonnxruntime.so"), copy);
        var context = new FreshInferenceContext();
        var inference = context.LoadFromAssemblyName(new AssemblyName("Gateway.Inference"));
        Assert.NotSame(typeof(OnnxSession).Assembly, inference);

        var optionsType = inference.GetType("Gateway.Inference.Runtime.OnnxSessionOptions", throwOnError: true)!;
        var options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty(nameof(OnnxSessionOptions.LibraryPath))!.SetValue(options, copy);
        var sessionType = inference.GetType("Gateway.Inference.Runtime.OnnxSession", throwOnError: true)!;
        using var session = (IDisposable)sessionType.GetMethod(nameof(OnnxSession.Open), [typeof(string), optionsType])!.Invoke(null, [models.PathOf("affine"), options])!;

        var library = inference.GetType("Gateway.Inference.Runtime.OnnxRuntimeLibrary", throwOnError: true)!;
        Assert.Equal(copy, library.GetProperty(nameof(OnnxRuntimeLibrary.LoadedFrom))!.GetValue(null));
        Assert.Contains(copy, File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
        Assert.Equal("1.31.1", library.GetMethod(nameof(OnnxRuntimeLibrary.Version))!.Invoke(null, [null]));
    }

    [Fact]
    public void Another_library_once_one_is_loaded_is_refused_naming_both()
    {
        using var dir = new TempDirectory();
        var other = dir.File("libonnxruntime.so");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", Rid, "native", "libonnxruntime.so"), other);
        using var session = OnnxSession.Open(models.PathOf("affine"));

        var e = Assert.Throws<InvalidOperationException>(() => OnnxSession.Open(models.PathOf("affine"), new OnnxSessionOptions { LibraryPath = other }));
        Assert.Contains($"ONNX Runtime is already loaded from {OnnxRuntimeLibrary.LoadedFrom}; cannot also load {other}", e.Message, StringComparison.Ordinal);
    }

    private sealed class FreshInferenceContext() : AssemblyLoadContext("fresh-inference")
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name is "Gateway.Inference" or "Microsoft.ML.OnnxRuntime"
                ? LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, name.Name + ".dll"))
                : null;
    }

    private static string Rid => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
