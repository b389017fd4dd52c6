using Gateway.Inference.Detectors;

namespace Gateway.Inference.Scheduling;

/// <summary>
/// The detection models loaded once for all cameras (an ONNX session is shared; each thread's
/// detector binds its own buffers to it). Disposing releases the sessions: after the scheduler stopped.
/// </summary>
public sealed class LoadedModels(IReadOnlyDictionary<string, DetectionModel> models) : IDetectorFactory, IDisposable
{
    public IReadOnlyList<string> Labels(string model) => Get(model).Manifest.Labels;

    public IObjectDetector Create(string model) => Get(model).CreateDetector();

    public void Dispose()
    {
        foreach (var model in models.Values)
        {
            model.Dispose();
        }
    }

    private DetectionModel Get(string model) =>
        models.TryGetValue(model, out var loaded) ? loaded : throw new KeyNotFoundException($"model '{model}' is not loaded");
}
