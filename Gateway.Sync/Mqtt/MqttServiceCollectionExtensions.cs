using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Mqtt;

public static class MqttServiceCollectionExtensions
{
    /// <summary>
    /// Registers the supervised MQTT uplink: <see cref="IMqttUplink"/> plus the hosted service that
    /// keeps it connected. Needs <c>IOptions&lt;MqttOptions&gt;</c>; <paramref name="session"/> supplies
    /// the node-dependent parts (default client id, will, online/offline status, subscriptions).
    /// </summary>
    public static IServiceCollection AddMqttUplink(this IServiceCollection services, Func<IServiceProvider, MqttSessionSetup> session)
    {
        ArgumentNullException.ThrowIfNull(session);
        services.TryAddSingleton(TimeProvider.System);
        // Bad options stop the host at start with the key's path (MqttOptionsValidator).
        services.AddOptions<MqttOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var connector = new MqttTransportConnector(new MqttTlsSettings(options.CaFile, options.CertFile, options.KeyFile));
            return new MqttConnectionSupervisor(options, session(sp), connector, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<MqttConnectionSupervisor>>());
        });
        services.AddSingleton<IMqttUplink>(sp => sp.GetRequiredService<MqttConnectionSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttConnectionSupervisor>());
        return services;
    }
}
