using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Abstractions;

public static class DriverOutputServiceCollectionExtensions
{
    /// <summary>
    /// The drivers' <see cref="IDriverOutput"/> over the shared <see cref="IngestQueue"/>; the queue
    /// is sized from <see cref="DriverOutputOptions"/> unless the caller (the Host) registered one
    /// already. Whatever drains the queue — the store's writer — is registered elsewhere.
    /// Also the <see cref="DeviceHealthRegistry"/> that watches this output. Safe to call from every driver's Add…().
    /// </summary>
    public static IServiceCollection AddDriverOutput(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DriverOutputOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DriverOutputOptions>>().Value;
            return new IngestQueue(o.ReadingCapacity + o.EventCapacity);
        });
        services.TryAddSingleton<DeviceHealthRegistry>();
        services.TryAddSingleton<IDriverOutput, ChannelDriverOutput>();
        return services;
    }
}
