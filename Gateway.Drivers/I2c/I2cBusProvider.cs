namespace Gateway.Drivers.I2c;

/// <inheritdoc cref="II2cBusProvider"/>
internal sealed class I2cBusProvider(IEnumerable<II2cBusSource> sources) : II2cBusProvider
{
    public II2cDevice Open(int bus, int address)
    {
        foreach (var source in sources)
        {
            if (source.TryOpen(bus, address, out var device))
            {
                return device;
            }
        }
        return new LinuxI2cDevice(bus, address);
    }
}
