using Gateway.Drivers;
using Gateway.Simulation.Gpio;
using Gateway.Simulation.I2c;
using Gateway.Simulation.Sensors;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Simulation.Pole;

/// <summary>
/// The virtual pole of the <c>demo</c> command (SPEC section 5): one device of every pole type on
/// simulated hardware — chip <c>sim:demo</c>, a BME280 on simulated I2C bus 1, a PMS5003 and a GNSS
/// receiver on simulated serial ports — plus a background simulator that produces meter pulses
/// opens and closes the cabinet door, and floods the pump pit now and then.
/// </summary>
public static class PoleDemo
{
    public const string Chip = "demo";
    public const int DoorLine = 17;
    public const int PulseLine = 27;
    public const int RelayLine = 22;
    public const int ImmersionLine = 23;
    public const int I2cBus = 1;

    /// <summary>The demo's pole devices, as a configuration file would list them.</summary>
    public static IReadOnlyList<DeviceOptions> Devices() =>
    [
        new() { Id = "door-1", Type = "gpio-input", Chip = "sim:" + Chip, Line = DoorLine, ActiveLow = true, DebounceMs = 50 },
        new() { Id = "pit-flood", Type = "gpio-input", Chip = "sim:" + Chip, Line = ImmersionLine, ActiveLow = true, DebounceMs = 200 },
        new() { Id = "water-pulse", Type = "gpio-counter", Chip = "sim:" + Chip, Line = PulseLine, UnitsPerPulse = 0.001, Unit = "m3", DebounceMs = 5, PollMs = 10_000 },
        new() { Id = "pump-relay", Type = "gpio-output", Chip = "sim:" + Chip, Line = RelayLine, SafeState = false },
        new() { Id = "env-1", Type = "bme280", I2cBus = I2cBus, Address = 0x76, PollMs = 10_000 },
        new() { Id = "pm-1", Type = "pms5003", Port = "sim:pm", PollMs = 10_000 },
        new() { Id = "gps-1", Type = "nmea", Port = "sim:gps", PollMs = 10_000 },
    ];

    /// <summary>
    /// Registers the simulated hardware behind <see cref="Devices"/>, its simulator, and the registries
    /// as the drivers' sources (<see cref="SimulatedHardwareServiceCollectionExtensions.AddSimulatedHardware"/>,
    /// whose own empty registries then yield to these: call this first).
    /// </summary>
    public static IServiceCollection AddPoleDemoHardware(this IServiceCollection services)
    {
        services.AddSingleton<SimulatedGpioChips>();
        services.AddSingleton(_ =>
        {
            var buses = new SimulatedI2cBuses();
            buses.GetOrAdd(I2cBus).Attach(0x76, new SimulatedBme280());
            return buses;
        });
        services.AddSingleton(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var ports = new SimulatedSerialPorts();
            ports.Add("pm", () => SimulatedSensorStream.Pms5003(time));
            ports.Add("gps", () => SimulatedSensorStream.Gnss(time));
            return ports;
        });
        services.AddHostedService<PoleDemoSimulator>();
        return services.AddSimulatedHardware();
    }
}
