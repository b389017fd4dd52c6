using System.Diagnostics.CodeAnalysis;

namespace Gateway.Drivers.I2c;

/// <summary>
/// I2C buses that are not /dev/i2c-N (the simulated buses of Gateway.Simulation). The bus provider
/// asks every registered source before it opens the kernel device.
/// </summary>
public interface II2cBusSource
{
    bool TryOpen(int bus, int address, [NotNullWhen(true)] out II2cDevice? device);
}
