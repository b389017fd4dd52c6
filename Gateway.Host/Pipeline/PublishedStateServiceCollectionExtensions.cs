using Gateway.Drivers.Abstractions;
using Gateway.Host.Web;
using Gateway.Sync.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Pipeline;

internal static class PublishedStateServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the drivers' output registered so far (call it after every other wrapper, so that what it
    /// adds passes them all) with the <see cref="PublishedStateReconciler"/>, which reads the store's
    /// <see cref="ILastStateEvents"/>. The live component groups and the camera pipeline take this output.
    /// </summary>
    public static IServiceCollection AddPublishedStateReconciler(this IServiceCollection services)
    {
        services.AddDriverOutput();
        var drivers = services.Last(d => d.ServiceType == typeof(IDriverOutput));
        services.Remove(drivers);
        services.AddSingleton(sp =>
        {
            var health = sp.GetRequiredService<DeviceHealthRegistry>();
            var latest = sp.GetService<LatestDeviceValues>();
            return new PublishedStateReconciler(
                Resolve(sp, drivers),
                () => sp.GetRequiredService<ILastStateEvents>().ReadLastStateEvents(),
                e =>
                {
                    health.ObserveUnstored(e);
                    latest?.Record(e);
                },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<PublishedStateReconciler>>());
        });
        services.AddSingleton<IDriverOutput>(sp => sp.GetRequiredService<PublishedStateReconciler>());
        return services;
    }

    private static IDriverOutput Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IDriverOutput)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
