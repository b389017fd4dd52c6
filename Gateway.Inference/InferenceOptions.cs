namespace Gateway.Inference;

/// <summary>The <c>inference</c> section: how ONNX Runtime is found and how hard it may work.</summary>
public sealed class InferenceOptions
{
    /// <summary>
    /// An explicit <c>libonnxruntime.so.1</c>. Null: next to the application by architecture
    /// (<c>native/onnxruntime/&lt;rid&gt;/</c>), then the system loader (Runtime/README.md).
    /// </summary>
    public string? OnnxRuntimePath { get; set; }

    /// <summary>Threads per model run; 0 = one per core. A pole shares its cores with drivers and uplink.</summary>
    public int IntraOpThreads { get; set; } = 2;
}
