using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Tests.Drivers.Modbus.Transport;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>
/// Several devices on one link (an RTU-over-TCP serial server): fairness and a dead device's cost to
/// the others. The link runs on fake time, moved only while it is parked on a timer (its next poll
/// slot, or the timeout of a request the server ignored): every count below follows from the
/// schedule alone, whatever the load on the machine.
/// </summary>
public class LinkSchedulingTests
{
    private readonly WatchedFakeTime _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task A_dead_unit_is_backed_off_so_the_live_one_keeps_the_bus()
    {
        var registers = new ModbusRegisterArray(256);
        registers.Registers[0] = 1234;
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { Rtu = true, UnitId = 1, Registers = registers });
        var endpoint = $"rtu+tcp://127.0.0.1:{server.Port}";
        DeviceOptions[] devices =
        [
            new() { Id = "alive", Type = "modbus", Endpoint = endpoint, UnitId = 1, PollMs = 50, TimeoutMs = 2000, Points = [new() { Name = "v", Table = "holding", Address = 0 }] },
            new() { Id = "dead", Type = "modbus", Endpoint = endpoint, UnitId = 2, PollMs = 50, TimeoutMs = 100, Retries = 1, Points = [new() { Name = "v", Table = "holding", Address = 0 }, new() { Name = "w", Table = "holding", Address = 100 }] },
        ];
        var output = new CollectingDriverOutput();
        await using var driver = new ModbusDriver(Options.Create(new ModbusDriverOptions { Devices = devices, MaxBackoff = TimeSpan.FromSeconds(1) }), output, _time, NullLogger<ModbusDriver>.Instance);

        await RunUntilAsync(driver, server, "alive", () => output.Readings.Count(r => r.Device == "alive" && r.Quality == ReadingQuality.Good) >= 40);

        // Silence is not retried (Retries = 1 applies to damaged answers only), and without back-off the dead unit
        // would get as many requests as the live one; backed off, it is probed once per 50 ms × 2^k (≤ 1 s).
        var deadRequests = server.RequestsPerUnit[2];
        Assert.InRange(deadRequests, 2, 12);
        Assert.Equal(40, server.RequestsPerUnit[1]);
        var offline = Assert.Single(output.Events);
        Assert.Equal(("device.offline", "dead"), (offline.Type, offline.Source));
        // Every poll of the dead unit cost the bus exactly one timeout: one request per poll, from the first poll on.
        Assert.Equal(deadRequests, driver.GetStatus().Single(s => s.DeviceId == "dead").Polls);
        // Its second read was never sent while it was silent: those points are "device offline".
        Assert.Contains(output.Readings, r => r is { Device: "dead", Point: "w", Reason: "device offline" });
        Assert.All(output.Readings.Where(r => r.Device == "alive"), r => Assert.Equal("1234", r.Value.ToString()));
        var counters = driver.CountersOf("alive")!;
        Assert.Equal(deadRequests, counters.Timeouts);
        Assert.Equal(1, counters.Connects);
    }

    [Fact]
    public async Task Devices_with_different_intervals_share_one_link_fairly()
    {
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { UnitId = 1 });
        var endpoint = $"tcp://127.0.0.1:{server.Port}";
        DeviceOptions[] devices =
        [
            .. Enumerable.Range(0, 4).Select(i => new DeviceOptions { Id = $"fast{i}", Type = "modbus", Endpoint = endpoint, PollMs = 40, TimeoutMs = 2000, Points = [new() { Name = "v", Table = "holding", Address = i }] }),
            new() { Id = "slow", Type = "modbus", Endpoint = endpoint, PollMs = 200, TimeoutMs = 2000, Points = [new() { Name = "v", Table = "holding", Address = 9 }] },
        ];
        var output = new CollectingDriverOutput();
        await using var driver = new ModbusDriver(Options.Create(new ModbusDriverOptions { Devices = devices }), output, _time, NullLogger<ModbusDriver>.Instance);

        await RunUntilAsync(driver, server, "slow", () => output.Readings.Count(r => r.Device == "slow") >= 5);

        // The slow device's 5th poll is due at 800 ms; by then every 40 ms device was served at 0, 40, … 800 ms,
        // each on time (earliest deadline first, ties by least recently served; a poll takes no fake time).
        Assert.Equal(TimeSpan.FromMilliseconds(800), _time.GetUtcNow() - DateTimeOffset.UnixEpoch);
        var polls = output.Readings.GroupBy(r => r.Device).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(21, polls[$"fast{i}"]));
        Assert.Equal(5, polls["slow"]);
        Assert.All(driver.GetStatus(), s => Assert.Equal((0L, TimeSpan.Zero), (s.MissedPolls, s.MaxLateness)));
        Assert.All(output.Readings, r => Assert.Equal(ReadingQuality.Good, r.Quality));
    }

    private Task RunUntilAsync(ModbusDriver driver, SimulatedModbusServer server, string device, Func<bool> done) =>
        FakeTimeModbusRun.UntilAsync(_time, driver, server, device, done);
}
