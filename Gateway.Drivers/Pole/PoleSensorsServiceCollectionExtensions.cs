using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Drivers.I2c;
using Gateway.Drivers.Sensors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Pole;

/// <summary>Registration of the pole sensor drivers (GPIO, I2C, serial sensors).</summary>
public static class PoleSensorsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the pole sensor drivers as a hosted service, with their options validated at start
    /// (<see cref="PoleSensorsOptions"/>: no GPIO line, I2C address or port used twice). Readings and
    /// events go through the shared <see cref="IDriverOutput"/> (<see cref="DriverOutputServiceCollectionExtensions.AddDriverOutput"/>,
    /// the one <see cref="IngestQueue"/> with the Modbus drivers), which the caller's store drains.
    /// GNSS time fixes go to <see cref="ITimeFixSink"/>, a no-op unless the caller registers one. Also registers <see cref="IGpioOutputs"/> (switching outputs),
    /// the chip/bus/port providers (which ask any registered <see cref="IGpioChipSource"/>,
    /// <see cref="II2cBusSource"/> and <see cref="ISerialPortSource"/> before the kernel devices) and a
    /// default <see cref="ISerialPortOpener"/>, each replaceable by registering another first.
    /// </summary>
    public static IServiceCollection AddPoleSensors(this IServiceCollection services, Action<PoleSensorsOptions> configure)
    {
        services.AddOptions<PoleSensorsOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PoleSensorsOptions>, PoleSensorsOptionsValidator>());
        services.AddDriverOutput();
        services.TryAddSingleton<ITimeFixSink, NullTimeFixSink>();
        services.TryAddSingleton<IGpioChipProvider, GpioChipProvider>();
        services.TryAddSingleton<II2cBusProvider, I2cBusProvider>();
        services.TryAddSingleton<ISerialPortOpener, TermiosSerialPortOpener>();
        services.TryAddSingleton<GpioOutputs>();
        services.TryAddSingleton<IGpioOutputs>(sp => sp.GetRequiredService<GpioOutputs>());
        services.TryAddSingleton<PoleDriverFactory>();
        services.AddHostedService<PoleSensorService>();
        return services;
    }
}
