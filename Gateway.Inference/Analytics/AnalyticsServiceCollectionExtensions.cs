using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Inference.Analytics;

public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>
    /// Crowd and litter analysis of cameras (SPEC sections 2 and 3): <see cref="ICameraAnalyticsFactory"/>,
    /// configured by <see cref="CameraAnalyticsOptions"/> (checked at start). Uses the registered
    /// <see cref="TimeProvider"/> (the system clock when none is).
    /// </summary>
    public static IServiceCollection AddCameraAnalytics(this IServiceCollection services, Action<CameraAnalyticsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CameraAnalyticsOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CameraAnalyticsOptions>, CameraAnalyticsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICameraAnalyticsFactory, CameraAnalyticsFactory>();
        return services;
    }
}
