using Gateway.Contracts;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Sync.RemoteCommands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.ConfigApply;

internal static class ConfigApplyServiceCollectionExtensions
{
    /// <summary>
    /// The configuration-apply path: <see cref="IConfigApplier"/> (for <c>config/set</c>, registered
    /// here, and the web page), the configuration in force (<see cref="RunningConfiguration"/>), the
    /// audit log beside the store and the in-process restart. A host built for a change that restarted
    /// it also runs <see cref="PendingApplyCheck"/> (<c>GatewayHost.Build</c>).
    /// </summary>
    public static IServiceCollection AddConfigApply(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var run = sp.GetRequiredService<GatewayRunInfo>();
            return RunningConfiguration.FromFile(run.ConfigPath, run.EffectiveConfig, sp.GetRequiredService<GatewayOptions>());
        });
        services.AddSingleton<ConfigFileWriter>();
        services.AddSingleton(sp => new ConfigAuditLog(ConfigAuditLog.Beside(sp.GetRequiredService<GatewayOptions>().Storage.Path), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HostRestart>();
        services.AddSingleton(sp => new ConfigApplier(
            sp.GetRequiredService<RunningConfiguration>(), sp.GetRequiredService<ConfigFileWriter>(), sp.GetRequiredService<ConfigAuditLog>(),
            sp.GetRequiredService<IngestQueue>(), sp.GetRequiredService<LiveComponents>(), sp.GetRequiredService<HostRestart>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ConfigApplier>>()));
        services.AddSingleton<IConfigApplier>(sp => sp.GetRequiredService<ConfigApplier>());
        services.AddSingleton<ICommandHandler, RemoteCommands.ConfigSetCommand>();
        return services;
    }

}
