namespace Gateway.Inference.Models;

/// <summary>A manifest that cannot be read, or a model that contradicts its manifest. The message names the field or the mismatch.</summary>
public sealed class ModelManifestException : Exception
{
    public ModelManifestException()
    {
    }

    public ModelManifestException(string message)
        : base(message)
    {
    }

    public ModelManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
