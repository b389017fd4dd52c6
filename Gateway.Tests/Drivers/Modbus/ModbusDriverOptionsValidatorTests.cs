using Gateway.Drivers;
using Gateway.Drivers.Modbus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Drivers.Modbus;

public sealed class ModbusDriverOptionsValidatorTests
{
    [Fact]
    public void A_profile_point_is_named_by_its_profile_and_an_own_point_by_its_index()
    {
        var device = new DeviceOptions
        {
            Id = "gas-1", Type = "modbus", Endpoint = "tcp://127.0.0.1:502", Profile = "profiles/gas.json", ProfilePointCount = 1,
            Points =
            [
                new PointOptions { Name = "volume", Table = "holding", Address = 65535, Type = "u32" }, // from the profile
                new PointOptions { Name = "volume", Table = "input", Address = 0, Writable = true },
            ],
        };

        var problems = ModbusDriverOptionsValidator.Problems(new ModbusDriverOptions { Devices = [new DeviceOptions { Id = "door", Type = "gpio-input" }, device] });

        Assert.Equal(
        [
            ("devices[1].profile(profiles/gas.json).points[0].address", "a u32 at 65535 runs past the end of the address space (65535)"),
            ("devices[1].points[0].name", "duplicate point name 'volume' (also devices[1].profile(profiles/gas.json).points[0])"),
            ("devices[1].points[0].writable", "the input table is read-only in Modbus"),
        ], problems);
    }

    [Fact]
    public void Two_spellings_of_one_bus_port_are_one_port()
    {
        var options = new ModbusDriverOptions { Buses = [new BusOptions { Id = "a", Port = "/dev/ttyS1" }, new BusOptions { Id = "b", Port = "/dev/./ttyS1" }] };

        Assert.Equal([("buses[1].port", "port '/dev/./ttyS1' is already used by buses[0]")], ModbusDriverOptionsValidator.Problems(options));
    }

    [Fact]
    public void AddModbusDrivers_stops_the_start_with_the_keys_path()
    {
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddModbusDrivers(o => o.Devices = [new DeviceOptions { Id = "m", Type = "modbus", Endpoint = "tcp://h:502", UnitId = 0, Points = [new PointOptions { Name = "p" }] }])
            .BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["devices[0].unitId: unit id 0 is the broadcast address and cannot be polled; use 1-247"], e.Failures);
    }
}
