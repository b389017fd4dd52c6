using Gateway.Inference.Detectors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton<IDetectionModelLoader, DetectionModelLoader>();
        return services;
    }

    /// <summary>
    /// The <c>models</c> and <c>cameras</c> sections as <see cref="CamerasOptions"/>, checked at start by
    /// <see cref="CamerasOptionsValidator"/> (the camera reader that will consume them registers here too).
    /// </summary>
    public static IServiceCollection AddCameraOptions(this IServiceCollection services, Action<CamerasOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CamerasOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CamerasOptions>, CamerasOptionsValidator>());
        return services;
    }
}
