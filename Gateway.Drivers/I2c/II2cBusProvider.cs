namespace Gateway.Drivers.I2c;

/// <summary>Opens a target on /dev/i2c-N, or on a bus an <see cref="II2cBusSource"/> claims for that number.</summary>
public interface II2cBusProvider
{
    II2cDevice Open(int bus, int address);
}
