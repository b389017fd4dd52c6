namespace Gateway.Inference.Runtime;

/// <summary>ONNX Runtime's <c>GraphOptimizationLevel</c>.</summary>
public enum GraphOptimization
{
    None = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
