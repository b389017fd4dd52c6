using Gateway.Drivers.Gpio;
using Gateway.Drivers.I2c;
using Gateway.Drivers.Sensors;
using Gateway.Simulation.Gpio;
using Gateway.Simulation.I2c;
using Gateway.Simulation.Sensors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Simulation;

/// <summary>Registration of the simulated pole hardware behind the drivers' chip, bus and port providers.</summary>
public static class SimulatedHardwareServiceCollectionExtensions
{
    /// <summary>
    /// Registers the simulated chip, bus and port registries and offers them to the pole drivers as
    /// sources: <c>sim:NAME</c> chips and ports and the registered I2C bus numbers are then served in
    /// memory. Registries registered before (a test's prepared ones) are kept.
    /// </summary>
    public static IServiceCollection AddSimulatedHardware(this IServiceCollection services)
    {
        services.TryAddSingleton<SimulatedGpioChips>();
        services.TryAddSingleton<SimulatedI2cBuses>();
        services.TryAddSingleton<SimulatedSerialPorts>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGpioChipSource, SimulatedGpioChips>(sp => sp.GetRequiredService<SimulatedGpioChips>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<II2cBusSource, SimulatedI2cBuses>(sp => sp.GetRequiredService<SimulatedI2cBuses>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISerialPortSource, SimulatedSerialPorts>(sp => sp.GetRequiredService<SimulatedSerialPorts>()));
        return services;
    }
}
