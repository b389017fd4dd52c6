using Microsoft.ML.OnnxRuntime;

namespace Gateway.Inference.Runtime;

/// <summary>How a session runs. Defaults suit a pole: all graph optimisations, no idle spinning.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>Threads of one operator; 0 lets ONNX Runtime use one per physical core.</summary>
    public int IntraOpThreads { get; set; }

    public GraphOptimizationLevel GraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Whether idle intra-op threads spin waiting for work. Off by default: on a 2–4 core pole
    /// spinning burns the CPU the drivers and uplink need between frames.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Further ONNX Runtime session configuration entries (<c>onnxruntime_session_options_config_keys.h</c>).</summary>
    public IDictionary<string, string> ConfigEntries { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>An explicit ONNX Runtime library file; see <see cref="OnnxRuntimeLibrary"/>.</summary>
    public string? LibraryPath { get; set; }
}
