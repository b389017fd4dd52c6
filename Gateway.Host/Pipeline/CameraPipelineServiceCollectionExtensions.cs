using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Host.Configuration;
using Gateway.Inference;
using Gateway.Sync.RemoteCommands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Pipeline;

internal static class CameraPipelineServiceCollectionExtensions
{
    /// <summary>
    /// The <c>cameras</c> section run (<see cref="CameraPipeline"/>), its <c>status</c> section and
    /// figures, and the start check that an analysis is registered. Needs <c>AddCameraOptions</c>,
    /// <c>AddOnNodeInference</c> and an <see cref="IngestQueue"/>; files resolve against
    /// <paramref name="configDirectory"/> like the rest of the configuration's.
    /// </summary>
    public static IServiceCollection AddCameraPipeline(this IServiceCollection services, string? configDirectory)
    {
        services.AddDriverOutput();
        services.TryAddSingleton<IFrameProcessLauncher, FfmpegProcessLauncher>();
        services.TryAddSingleton(new CameraPipelineFiles(new ConfigFileResolver(configDirectory)));
        services.AddSingleton<CameraPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraPipeline>());
        services.AddSingleton<IStatusSection>(sp => sp.GetRequiredService<CameraPipeline>());
        services.AddSingleton<ICameraFiguresSource>(sp => sp.GetRequiredService<CameraPipeline>());
        services.AddSingleton<Web.ICameraStillSource>(sp => sp.GetRequiredService<CameraPipeline>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CamerasOptions>, CameraAnalyticsCheck>());
        return services;
    }
}
