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
    /// latest values. Call before the drivers are added: the tap is the drivers' output.
    /// </summary>
    public static IServiceCollection AddTechnicianWeb(this IServiceCollection services, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<LatestDeviceValues>();
        services.AddSingleton<IDriverOutput>(sp => new LatestValuesDriverOutput(sp.GetRequiredService<IngestQueue>(), sp.GetRequiredService<LatestDeviceValues>()));
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
