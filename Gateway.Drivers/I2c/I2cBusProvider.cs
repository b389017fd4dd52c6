namespace Gateway.Drivers.I2c;

/// <inheritdoc cref="II2cBusProvider"/>
internal sealed class I2cBusProvider(SimulatedI2cBuses simulated) : II2cBusProvider
{
    public II2cDevice Open(int bus, int address) =>
        simulated.TryGet(bus, out var simulatedBus) ? simulatedBus.Open(address) : new LinuxI2cDevice(bus, address);
}
