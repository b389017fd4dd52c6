using Gateway.Drivers.Abstractions;
using Gateway.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

public static class WebServiceCollectionExtensions
{
    /// <summary>
    /// The technician's web server on <c>web.urls</c> (nothing listens when the list is empty), its
    /// certificate, sessions, login throttle, recent log lines, and the tap that keeps each device's
    /// latest values, wrapped around the drivers' output.
    /// </summary>
    public static IServiceCollection AddTechnicianWeb(this IServiceCollection services, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<LatestDeviceValues>();
        // The tap wraps the drivers' own output (which also feeds the device-health registry): one path into the store.
        services.AddDriverOutput();
        var drivers = services.Last(d => d.ServiceType == typeof(IDriverOutput));
        services.Remove(drivers);
        services.AddSingleton<IDriverOutput>(sp => new LatestValuesDriverOutput(Resolve(sp, drivers), sp.GetRequiredService<LatestDeviceValues>()));
        services.AddSingleton<RecentLogLines>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentLogLines>());
        if (options.Web.Urls.Count == 0)
        {
            return services;
        }
        services.AddSingleton(sp => new NodeCertificate(options.Web, WebApi.StateDirectory(options), options.Node.Id,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NodeCertificate>>()));
        services.AddSingleton<SessionTable>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<StaticAssets>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WebApi>(sp, sp));
        services.AddSingleton<IHostedService>(sp => new WebServerService(sp.GetRequiredService<WebApi>(), options.Web,
            sp.GetRequiredService<NodeCertificate>(), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    private static IDriverOutput Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IDriverOutput)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>
    /// Loads or creates the web certificate before anything starts, so that an unreadable
    /// <c>web.certFile</c> is one line and exit 1 rather than a component failing in a loop.
    /// </summary>
    public static void PrepareTechnicianWeb(this IServiceProvider services)
    {
        var options = services.GetRequiredService<GatewayOptions>();
        if (WebServerService.NeedsCertificate(options.Web))
        {
            _ = services.GetRequiredService<NodeCertificate>().Get();
        }
    }
}
