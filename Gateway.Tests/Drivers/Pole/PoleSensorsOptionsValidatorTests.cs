using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers;
using Gateway.Drivers.Pole;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Gateway.Simulation.Pole;

namespace Gateway.Tests.Drivers.Pole;

public sealed class PoleSensorsOptionsValidatorTests
{
    [Fact]
    public void Demo_devices_are_valid()
    {
        var result = new PoleSensorsOptionsValidator().Validate(null, new PoleSensorsOptions { Devices = [.. PoleDemo.Devices()] });
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Shipped_example_configuration_is_valid()
    {
        using var file = File.OpenRead(Repo.PathOf("config", "examples", "pole-sensors.json"));
        var config = JsonNode.Parse(file)!;
        var devices = config["devices"].Deserialize<List<DeviceOptions>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(6, devices.Count(d => PoleDriverFactory.Types.Contains(d.Type)));
        var result = new PoleSensorsOptionsValidator().Validate(null, new PoleSensorsOptions { Devices = devices });
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Shared_lines_addresses_and_ports_and_missing_keys_are_reported_with_their_paths()
    {
        var options = new PoleSensorsOptions
        {
            Devices =
            [
                new() { Id = "door-1", Type = "gpio-input", Chip = "gpiochip0", Line = 17 },
                new() { Id = "water-1", Type = "modbus", Endpoint = "tcp://127.0.0.1:5020" },
                new() { Id = "door-2", Type = "gpio-counter", Chip = "/dev/gpiochip0", Line = 17, UnitsPerPulse = 1 },
                new() { Id = "env-1", Type = "bme280", I2cBus = 1, Address = 0x76 },
                new() { Id = "env-2", Type = "bme280", I2cBus = 1, Address = 0x76 },
                new() { Id = "pm-1", Type = "pms5003", Port = "/dev/ttyS2" },
                new() { Id = "gps-1", Type = "nmea", Port = "/dev/ttyS2" },
                new() { Id = "relay", Type = "gpio-output", Chip = "gpiochip0", Line = 22 },
            ],
        };
        var result = new PoleSensorsOptionsValidator().Validate(null, options);
        Assert.Equal(
        [
            "devices[2].line: GPIO line 17 of /dev/gpiochip0 is already used by devices[0]",
            "devices[4].address: I2C bus 1 address 0x76 is already used by devices[3]",
            "devices[6].port: serial port '/dev/ttyS2' is already used by devices[5]",
            "devices[7].safeState: required for a gpio-output device",
        ], result.Failures);
    }

    [Theory]
    [InlineData("gpiochip0", "/dev/gpiochip0")]
    [InlineData("/dev/gpiochip0", "gpiochip0")]
    [InlineData("gpiochip0", "gpiochip0")]
    public void Both_spellings_of_a_chip_are_one_chip(string first, string second)
    {
        var options = new PoleSensorsOptions
        {
            Devices =
            [
                new() { Id = "door-1", Type = "gpio-input", Chip = first, Line = 5 },
                new() { Id = "door-2", Type = "gpio-input", Chip = second, Line = 5 },
                new() { Id = "door-3", Type = "gpio-input", Chip = second, Line = 6 },
                new() { Id = "door-4", Type = "gpio-input", Chip = "gpiochip1", Line = 5 },
            ],
        };

        var problems = PoleSensorsOptionsValidator.Problems(options);

        Assert.Equal([("devices[1].line", $"GPIO line 5 of {second} is already used by devices[0]")], problems);
        Assert.Equal(HardwareClaims.GpioLine(first, 5), HardwareClaims.GpioLine(second, 5));
    }

    [Theory]
    [InlineData("/dev/ttyS2", "/dev//ttyS2")]
    [InlineData("/dev/./ttyS2", "/dev/ttyS2")]
    public void Both_spellings_of_a_serial_port_are_one_port(string first, string second)
    {
        var options = new PoleSensorsOptions
        {
            Devices = [new() { Id = "pm-1", Type = "pms5003", Port = first }, new() { Id = "gps-1", Type = "nmea", Port = second }],
        };

        Assert.Equal([("devices[1].port", $"serial port '{second}' is already used by devices[0]")], PoleSensorsOptionsValidator.Problems(options));
    }

    [Fact]
    public void AddPoleSensors_validates_at_start()
    {
        using var provider = new ServiceCollection()
            .AddPoleSensors(o => o.Devices = [new DeviceOptions { Id = "relay", Type = "gpio-output", Chip = "sim:x", Line = 1 }])
            .BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PoleSensorsOptions>>().Value);
        Assert.Contains("devices[0].safeState", e.Message, StringComparison.Ordinal);
    }
}
