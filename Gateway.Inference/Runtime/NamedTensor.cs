namespace Gateway.Inference.Runtime;

/// <summary>A float tensor with its name, for the simple (copying) <see cref="OnnxSession.Run"/>.</summary>
public sealed class NamedTensor(string name, float[] data, long[] shape)
{
    public string Name { get; } = name;

    public float[] Data { get; } = data;

    public long[] Shape { get; } = shape;
}
