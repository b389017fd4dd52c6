namespace Gateway.Inference;

/// <summary>One entry of the <c>models</c> section: an ONNX model described by its manifest.</summary>
public sealed class ModelOptions
{
    public string Id { get; set; } = "";

    public string Manifest { get; set; } = "";
}
