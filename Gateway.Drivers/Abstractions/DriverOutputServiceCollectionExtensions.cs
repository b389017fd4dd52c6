using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Gateway.Drivers.Abstractions;

public static class DriverOutputServiceCollectionExtensions
{
    /// <summary>
    /// The shared bounded driver → store hand-over (<see cref="IDriverOutput"/> and its pump).
    /// The Host must register an <see cref="IDriverSink"/>. Safe to call from every driver's Add…().
    /// </summary>
    public static IServiceCollection AddDriverOutput(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DriverOutputOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChannelDriverOutput>();
        services.TryAddSingleton<IDriverOutput>(sp => sp.GetRequiredService<ChannelDriverOutput>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DriverOutputPump>());
        return services;
    }
}
