namespace Gateway.Inference;

/// <summary>The <c>inference</c> section: how ONNX Runtime is found and how hard it may work.</summary>
public sealed class InferenceOptions
{
    /// <summary>
    /// An explicit ONNX Runtime library file, loaded instead of the one the Microsoft.ML.OnnxRuntime
    /// package ships; when set, nothing else is tried. Null: the package's
    /// <c>runtimes/&lt;rid&gt;/native/libonnxruntime.so</c> beside the application (Runtime/README.md).
    /// </summary>
    public string? OnnxRuntimePath { get; set; }

    /// <summary>Threads per model run; 0 = one per core. A pole shares its cores with drivers and uplink.</summary>
    public int IntraOpThreads { get; set; } = 2;

    /// <summary>
    /// Detector threads shared by all cameras (Scheduling/): at most this many frames are in
    /// inference at once, whatever the number of cameras. Each runs <see cref="IntraOpThreads"/>.
    /// </summary>
    public int Threads { get; set; } = 1;
}
