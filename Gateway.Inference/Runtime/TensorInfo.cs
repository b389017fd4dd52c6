namespace Gateway.Inference.Runtime;

/// <summary>
/// A model input or output as the model itself declares it. A dimension of -1 is symbolic (e.g. a
/// batch size); <see cref="SymbolicNames"/> holds the model's name for it ("N"), "" otherwise.
/// </summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string>? SymbolicNames = null)
{
    public bool IsFixed => Shape.All(d => d > 0);

    public override string ToString() =>
        $"{Name} {ElementType.ToString().ToLowerInvariant()}[{string.Join(",", Shape.Select((d, i) => d < 0 && SymbolicNames is { } n && i < n.Count && n[i].Length > 0 ? n[i] : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}
