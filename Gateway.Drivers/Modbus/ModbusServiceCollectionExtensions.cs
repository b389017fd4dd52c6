using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus.Polling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Modbus;

public static class ModbusServiceCollectionExtensions
{
    /// <summary>
    /// Polls the configuration's Modbus devices and publishes their readings and events to
    /// <see cref="IDriverOutput"/> (registered too, over the one <see cref="IngestQueue"/> that the Host's store drains).
    /// Also registers <see cref="IModbusWriter"/>, <see cref="IModbusReader"/> and <see cref="IModbusDriverStatus"/>. The options are
    /// checked at start (<see cref="ModbusDriverOptionsValidator"/>): bad ones stop the host with the key's path.
    /// </summary>
    public static IServiceCollection AddModbusDrivers(this IServiceCollection services, Action<ModbusDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDriverOutput();
        services.AddOptions<ModbusDriverOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModbusDriverOptions>, ModbusDriverOptionsValidator>());
        services.TryAddSingleton<ModbusDriver>();
        services.TryAddSingleton<IModbusWriter>(sp => sp.GetRequiredService<ModbusDriver>());
        services.TryAddSingleton<IModbusReader>(sp => sp.GetRequiredService<ModbusDriver>());
        services.TryAddSingleton<IModbusDriverStatus>(sp => sp.GetRequiredService<ModbusDriver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModbusDriverService>());
        return services;
    }
}
