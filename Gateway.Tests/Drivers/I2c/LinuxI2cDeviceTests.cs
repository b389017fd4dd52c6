using Gateway.Drivers.Abstractions;
using Gateway.Drivers.I2c;
using Gateway.Simulation.I2c;

namespace Gateway.Tests.Drivers.I2c;

/// <summary>No I2C adapter here: the kernel path is checked up to the ioctl (see <see cref="I2cUapiLayoutTests"/> for layouts).</summary>
public sealed class LinuxI2cDeviceTests
{
    [Fact]
    public void Missing_bus_is_an_IOException_naming_the_device()
    {
        var provider = new I2cBusProvider([new SimulatedI2cBuses()]);
        var e = Assert.Throws<DeviceIOException>(() => provider.Open(99, 0x76));
        Assert.Contains("/dev/i2c-99", e.Message, StringComparison.Ordinal);
        Assert.Equal("ENOENT /dev/i2c-99", DeviceFaultReason.Describe(e));
    }

    [Fact]
    public void Rdwr_ioctl_on_a_non_i2c_device_is_refused_by_the_kernel()
    {
        using var device = new LinuxI2cDevice("/dev/null", 0, 0x76);
        var e = Assert.Throws<DeviceIOException>(() => device.WriteRead([0xD0], new byte[1]));
        Assert.Contains("errno 25", e.Message, StringComparison.Ordinal); // ENOTTY
        Assert.Contains("0x76", e.Message, StringComparison.Ordinal);
    }
}
