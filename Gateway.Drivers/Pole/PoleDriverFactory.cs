using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Drivers.I2c;
using Gateway.Drivers.I2c.Bme280;
using Gateway.Drivers.Sensors;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Pole;

/// <summary>Creates the driver for one configured pole device (SPEC section 4 device types).</summary>
internal sealed class PoleDriverFactory(
    IGpioChipProvider chips,
    GpioOutputs outputs,
    II2cBusProvider i2c,
    ISerialPortOpener ports,
    IDriverOutput output,
    ITimeFixSink timeFixes,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        "gpio-input", "gpio-counter", "gpio-output", "bme280", "pms5003", "nmea",
    };

    /// <summary>The driver for <paramref name="device"/>, or null when its type is not a pole sensor.</summary>
    public IPoleDriver? Create(DeviceOptions device, string stateDirectory) => device.Type switch
    {
        "gpio-input" => new GpioInputDriver(device, chips, output, time, loggers.CreateLogger<GpioInputDriver>()),
        "gpio-counter" => new GpioCounterDriver(device, chips, output, time, loggers.CreateLogger<GpioCounterDriver>(), stateDirectory),
        "gpio-output" => new GpioOutputDriver(device, chips, outputs, output, time, loggers.CreateLogger<GpioOutputDriver>()),
        "bme280" => new Bme280Driver(device, i2c, output, time, loggers.CreateLogger<Bme280Driver>()),
        "pms5003" => new Pms5003Driver(device, ports, output, time, loggers.CreateLogger<Pms5003Driver>()),
        "nmea" => new NmeaDriver(device, ports, output, timeFixes, time, loggers.CreateLogger<NmeaDriver>()),
        _ => null,
    };
}
