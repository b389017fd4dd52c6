namespace Gateway.Inference.Runtime;

/// <summary>A model input or output as the model itself declares it. A dimension of -1 is symbolic (e.g. a batch size).</summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name} {ElementType.ToString().ToLowerInvariant()}[{string.Join(",", Shape)}]";
}
