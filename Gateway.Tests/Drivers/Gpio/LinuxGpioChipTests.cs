using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Simulation.Gpio;

namespace Gateway.Tests.Drivers.Gpio;

/// <summary>
/// There is no GPIO chip on this machine (and no gpio-sim), so these check the kernel path's
/// plumbing up to the kernel: the libc calls are bound and their errors surface as IOException
/// with errno text, never as a crash. Layouts are checked in <see cref="GpioUapiLayoutTests"/>.
/// </summary>
public sealed class LinuxGpioChipTests
{
    [Fact]
    public void Missing_chip_is_an_IOException_naming_the_device()
    {
        var provider = new GpioChipProvider([new SimulatedGpioChips()]);
        var e = Assert.Throws<DeviceIOException>(() => provider.Open("gpiochip99"));
        Assert.Contains("/dev/gpiochip99", e.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", e.Message, StringComparison.Ordinal); // ENOENT
        Assert.Equal("ENOENT /dev/gpiochip99", DeviceFaultReason.Describe(e));
    }

    [Fact]
    public void Line_request_ioctl_on_a_non_gpio_device_is_refused_by_the_kernel()
    {
        using var notAChip = new LinuxGpioChip("/dev/null");
        var input = Assert.Throws<DeviceIOException>(() => notAChip.RequestInput(new GpioInputRequest(3, ActiveLow: true, GpioBias.PullUp, TimeSpan.FromMilliseconds(5), "test")));
        Assert.Contains("errno 25", input.Message, StringComparison.Ordinal); // ENOTTY: the ioctl reached the kernel
        var output = Assert.Throws<DeviceIOException>(() => notAChip.RequestOutput(4, activeLow: false, initialActive: false, "test"));
        Assert.Contains("errno 25", output.Message, StringComparison.Ordinal);
        Assert.Equal("ENOTTY /dev/null", DeviceFaultReason.Describe(output));
    }

    [Fact]
    public void Simulated_chip_names_resolve_to_the_shared_registry()
    {
        var chips = new SimulatedGpioChips();
        var provider = new GpioChipProvider([chips]);
        Assert.Same(chips.GetOrAdd("cabinet"), provider.Open("sim:cabinet"));
    }
}
