using Gateway.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Inference.Detectors;

internal sealed class DetectionModelLoader(IOptions<InferenceOptions> options, ILogger<DetectionModelLoader> logger) : IDetectionModelLoader
{
    public DetectionModel Load(string manifestPath)
    {
        var o = options.Value;
        try
        {
            var model = DetectionModel.Load(manifestPath, new OnnxSessionOptions { IntraOpThreads = o.IntraOpThreads, LibraryPath = o.OnnxRuntimePath });
            Log.ModelLoaded(logger, manifestPath, (long)model.LoadTime.TotalMilliseconds, model.Session.Inputs[0].ToString(),
                string.Join(", ", model.Session.Outputs), model.Session.Metadata.ToString(), OnnxRuntimeLibrary.Version(o.OnnxRuntimePath), OnnxRuntimeLibrary.LoadedFrom);
            return model;
        }
        catch (Exception e)
        {
            Log.ModelRefused(logger, e, manifestPath);
            throw;
        }
    }
}
