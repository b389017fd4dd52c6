using Gateway.Host.Configuration;
using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// The node's health figures: the <c>health</c> topic every <c>health.intervalSeconds</c>
    /// (<see cref="HealthOptions"/>, checked at start), the <c>status</c> reply's <c>health</c> member, and
    /// <see cref="GatewayMetrics"/> for <c>GET /metrics</c> (mapped by the web server with
    /// <see cref="MetricsEndpoint.MapGatewayMetrics"/>). Needs the store, the uplink and the drivers' output.
    /// </summary>
    public static IServiceCollection AddNodeHealth(this IServiceCollection services, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddOptions<HealthOptions>().Configure(o => o.IntervalSeconds = options.IntervalSeconds).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddSingleton<IProcessProbe>(_ => new LinuxProcessProbe());
        services.TryAddSingleton<NodeHealthSampler>();
        services.TryAddSingleton<GatewayMetrics>();
        services.AddSingleton<IHealthPayloadSource, HealthPayload>();
        services.AddSingleton<IStatusSection, HealthStatusSection>();
        // Validated at start like every option; a bad interval never reaches the publisher (its own guard would throw).
        services.AddHealthPublishing(TimeSpan.FromSeconds(Math.Max(options.IntervalSeconds, HealthOptions.MinIntervalSeconds)));
        return services;
    }
}
