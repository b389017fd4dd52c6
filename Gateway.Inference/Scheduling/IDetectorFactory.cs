using Gateway.Inference.Detectors;

namespace Gateway.Inference.Scheduling;

/// <summary>The models the cameras need, by model id; each scheduler thread creates its own detector of each.</summary>
public interface IDetectorFactory
{
    /// <summary>The model's class labels (<see cref="Postprocessing.Detection.ClassId"/> indexes them).</summary>
    IReadOnlyList<string> Labels(string model);

    /// <summary>A new detector of the model, for one thread only (<see cref="IObjectDetector"/> is not thread-safe).</summary>
    IObjectDetector Create(string model);
}
