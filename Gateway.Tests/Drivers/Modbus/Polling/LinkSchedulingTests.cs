using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Tests.Drivers.Modbus.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>Several devices on one link (an RTU-over-TCP serial server): fairness and a dead device's cost to the others.</summary>
public class LinkSchedulingTests
{
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
        await using var driver = new ModbusDriver(Options.Create(new ModbusDriverOptions { Devices = devices, MaxBackoff = TimeSpan.FromSeconds(1) }), output, TimeProvider.System, NullLogger<ModbusDriver>.Instance);
        using var cts = new CancellationTokenSource();
        var running = driver.RunAsync(cts.Token);
        await output.WaitUntilAsync(o => o.Readings.Count(r => r.Device == "alive" && r.Quality == ReadingQuality.Good) >= 40, TimeSpan.FromSeconds(30), "40 polls of the live unit");
        await cts.CancelAsync();
        await running;

        // Silence is not retried (Retries = 1 applies to damaged answers only), and without back-off the dead unit
        // would still get as many requests as the live one; backed off, it is probed once per 50 ms × 2^k (≤ 1 s).
        var deadRequests = server.RequestsPerUnit[2];
        Assert.InRange(deadRequests, 2, 12);
        Assert.True(server.RequestsPerUnit[1] >= 40);
        var offline = Assert.Single(output.Events);
        Assert.Equal(("device.offline", "dead"), (offline.Type, offline.Source));
        // Every poll of the dead unit cost the bus exactly one timeout: one request per poll, from the first poll on.
        // (The stop may land between a poll's start and its request, hence the one-poll slack.)
        var deadPolls = driver.GetStatus().Single(s => s.DeviceId == "dead").Polls;
        Assert.InRange(deadRequests, deadPolls - 1, deadPolls);
        // Its second read was never sent while it was silent: those points are "device offline".
        Assert.Contains(output.Readings, r => r is { Device: "dead", Point: "w", Reason: "device offline" });
        Assert.All(output.Readings.Where(r => r.Device == "alive"), r => Assert.Equal("1234", r.Value.ToString()));
        var counters = driver.CountersOf("alive")!;
        // The stop can also land after the last request went out and before its timeout fired.
        Assert.InRange(counters.Timeouts, deadRequests - 1, deadRequests);
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
        await using var driver = new ModbusDriver(Options.Create(new ModbusDriverOptions { Devices = devices }), output, TimeProvider.System, NullLogger<ModbusDriver>.Instance);
        using var cts = new CancellationTokenSource();
        var running = driver.RunAsync(cts.Token);
        await output.WaitUntilAsync(o => o.Readings.Count(r => r.Device == "slow") >= 5, TimeSpan.FromSeconds(30), "5 polls of the slow device");
        await cts.CancelAsync();
        await running;

        var polls = output.Readings.GroupBy(r => r.Device).ToDictionary(g => g.Key, g => g.Count());
        // Every fast device was served about as often as the others (earliest deadline first, ties by least recently served).
        var fast = Enumerable.Range(0, 4).Select(i => polls[$"fast{i}"]).ToArray();
        Assert.True(fast.Max() - fast.Min() <= 2, string.Join(", ", fast));
        Assert.True(fast.Min() >= polls["slow"], "a 40 ms device must be polled at least as often as a 200 ms one");
        Assert.All(output.Readings, r => Assert.Equal(ReadingQuality.Good, r.Quality));
    }
}
