using System.Diagnostics;
using Gateway.Inference.Models;
using Gateway.Inference.Runtime;

namespace Gateway.Inference.Detectors;

/// <summary>
/// A detection model checked against its manifest (SPEC section 2.2). Shared by all cameras that
/// use it; each worker makes its own <see cref="CreateDetector"/>.
/// </summary>
public sealed class DetectionModel : IDisposable
{
    private DetectionModel(ModelManifest manifest, OnnxSession session, TimeSpan loadTime)
    {
        Manifest = manifest;
        Session = session;
        LoadTime = loadTime;
    }

    public ModelManifest Manifest { get; }

    public OnnxSession Session { get; }

    public TimeSpan LoadTime { get; }

    public static DetectionModel Load(string manifestPath, OnnxSessionOptions? options = null) =>
        Load(ModelManifestReader.ReadFile(manifestPath), options);

    public static DetectionModel Load(ModelManifest manifest, OnnxSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!File.Exists(manifest.ModelPath))
        {
            throw new ModelManifestException($"{manifest.ManifestPath}: model file {manifest.ModelPath} does not exist");
        }
        var started = Stopwatch.GetTimestamp();
        var session = OnnxSession.Open(manifest.ModelPath, options);
        try
        {
            ModelContract.Check(manifest, session.Inputs, session.Outputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return new DetectionModel(manifest, session, Stopwatch.GetElapsedTime(started));
    }

    public IObjectDetector CreateDetector() => new ObjectDetector(this);

    public void Dispose() => Session.Dispose();
}
