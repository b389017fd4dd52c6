namespace Gateway.Inference.Detectors;

/// <summary>Loads models by manifest with the configured ONNX Runtime settings (registered by <c>AddOnNodeInference</c>).</summary>
public interface IDetectionModelLoader
{
    /// <summary>Reads the manifest, opens the model and refuses it if it contradicts the manifest.</summary>
    DetectionModel Load(string manifestPath);
}
