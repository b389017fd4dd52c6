using Gateway.Inference.Detectors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Inference;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// On-node inference (SPEC section 2.2): <see cref="IDetectionModelLoader"/> over ONNX
    /// Runtime (Microsoft.ML.OnnxRuntime, Runtime/), configured by <see cref="InferenceOptions"/> (the <c>inference</c> section).
    /// </summary>
    public static IServiceCollection AddOnNodeInference(this IServiceCollection services, Action<InferenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<InferenceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.Validate(o => o.IntraOpThreads is >= 0 and <= 64, "inference.intraOpThreads must be from 0 to 64")
            .Validate(o => o.OnnxRuntimePath is null || File.Exists(o.OnnxRuntimePath), "inference.onnxRuntimePath names a file that does not exist")
            .ValidateOnStart();
        services.TryAddSingleton<IDetectionModelLoader, DetectionModelLoader>();
        return services;
    }
}
