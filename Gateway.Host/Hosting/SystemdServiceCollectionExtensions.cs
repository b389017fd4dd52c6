using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

internal static class SystemdServiceCollectionExtensions
{
    /// <summary>
    /// Type=notify under systemd: the systemd lifetime (READY=1 once every component started,
    /// STOPPING=1 when the stop begins) and the health-gated <see cref="SystemdWatchdog"/>. Outside
    /// systemd (its parent is not systemd and it is not PID 1) nothing is added.
    /// </summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        if (!SystemdHelpers.IsSystemdService())
        {
            return services;
        }
        services.AddSystemd();
        services.AddSingleton(SystemdWatchdogSettings.From(Environment.GetEnvironmentVariable, Environment.ProcessId));
        services.AddSingleton(sp => new NodeHealth(sp.GetRequiredService<ComponentSupervision>(),
            sp.GetRequiredService<IOutbox>().GetStatistics, () => sp.GetRequiredService<IMqttUplink>().Status));
        services.AddHostedService(sp => new SystemdWatchdog(sp.GetRequiredService<ISystemdNotifier>(), sp.GetRequiredService<SystemdWatchdogSettings>(),
            sp.GetRequiredService<NodeHealth>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SystemdWatchdog>>()));
        return services;
    }
}
