using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Uplink;

public static class UplinkServiceCollectionExtensions
{
    /// <summary>
    /// The uplink to the city brain: the supervised MQTT connection with the retained status and its
    /// will, the forwarder from the durable store (register <c>AddDurableStore</c> first), and the
    /// command dispatcher with <c>ping</c> and <c>status</c>. Further commands (<c>config/get</c>, …)
    /// are <see cref="ICommandHandler"/> registrations of the host.
    /// </summary>
    public static IServiceCollection AddCityBrainUplink(this IServiceCollection services, Func<IServiceProvider, NodeIdentity> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(node);
        services.AddSingleton(sp => new UplinkTopics(sp.GetRequiredService<IOptions<MqttOptions>>().Value.TopicPrefix, sp.GetRequiredService<NodeIdentity>().NodeId));
        services.AddSingleton(sp => ForwarderSettings.From(sp.GetRequiredService<IOptions<MqttOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddMqttUplink(sp => StatusMessage.Session(sp.GetRequiredService<UplinkTopics>(), sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<UplinkForwarder>();
        services.AddSingleton<IForwarderStatus>(sp => sp.GetRequiredService<UplinkForwarder>());
        services.AddHostedService(sp => sp.GetRequiredService<UplinkForwarder>());
        services.AddSingleton<ICommandHandler, PingCommand>();
        services.AddSingleton<ICommandHandler, StatusCommand>();
        services.AddHostedService<CommandDispatcher>();
        return services;
    }

    /// <summary>
    /// Publishes <see cref="IHealthPayloadSource"/>'s figures on <c>{prefix}/{node}/health</c> every
    /// <paramref name="interval"/> while connected (<see cref="HealthPublisher"/>); needs <see cref="AddCityBrainUplink"/>
    /// and an <see cref="IHealthPayloadSource"/> registration.
    /// </summary>
    public static IServiceCollection AddHealthPublishing(this IServiceCollection services, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        services.AddSingleton(new HealthPublishingSettings(interval));
        services.AddSingleton<HealthPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthPublisher>());
        return services;
    }
}
