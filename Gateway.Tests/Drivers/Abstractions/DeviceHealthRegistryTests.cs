using System.Diagnostics.Metrics;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Simulation.Modbus;
using Gateway.Tests.Drivers.Modbus.Polling;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Drivers.Abstractions;

/// <summary>
/// The registry sees devices only through what their drivers publish on the shared output, so its
/// figures are checked against that very traffic: the same readings, the same offline event, the
/// same polls the driver counted.
/// </summary>
public class DeviceHealthRegistryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Modbus_figures_follow_the_traffic_of_a_live_and_a_dead_unit()
    {
        var time = new WatchedFakeTime(Start);
        var registers = new ModbusRegisterArray(256);
        registers.Registers[0] = 1234;
        await using var server = new SimulatedModbusServer(new SimulatedModbusOptions { Rtu = true, UnitId = 1, Registers = registers });
        var endpoint = $"rtu+tcp://127.0.0.1:{server.Port}";
        DeviceOptions[] devices =
        [
            new() { Id = "alive", Type = "modbus", Endpoint = endpoint, UnitId = 1, PollMs = 50, TimeoutMs = 2000, Points = [new() { Name = "v", Table = "holding", Address = 0 }] },
            new() { Id = "dead", Type = "modbus", Endpoint = endpoint, UnitId = 2, PollMs = 50, TimeoutMs = 100, Points = [new() { Name = "v", Table = "holding", Address = 0 }] },
        ];
        using var registry = new DeviceHealthRegistry();
        var seen = new CollectingDriverOutput();
        var output = new TeeOutput(seen, new ChannelDriverOutput(new IngestQueue(100_000), registry));
        var durations = new List<(string Device, double Seconds)>();
        using var listener = ListenToPollDurations(registry, durations);
        await using var driver = new ModbusDriver(Options.Create(new ModbusDriverOptions { Devices = devices, MaxBackoff = TimeSpan.FromSeconds(1) }), output, time, NullLogger<ModbusDriver>.Instance);

        await FakeTimeModbusRun.UntilAsync(time, driver, server, "alive", () => registry.Find("alive")?.GoodReadings >= 20);

        var status = driver.GetStatus().ToDictionary(s => s.DeviceId);
        var alive = registry.Find("alive")!;
        var lastGood = seen.Readings.Last(r => r.Device == "alive");
        Assert.Equal(DeviceState.Online, alive.State);
        Assert.Null(alive.Reason);
        Assert.Equal((lastGood.MeasuredAt, lastGood.Timestamp), (alive.LastGoodAt, alive.LastGoodTimestamp));
        Assert.Equal(seen.Readings.Count(r => r.Device == "alive"), alive.GoodReadings);
        Assert.Equal((status["alive"].Polls, 0L, 0L, 0L), (alive.Polls, alive.FailedPolls, alive.BadReadings, alive.OfflineTransitions));
        Assert.Equal(TimeSpan.Zero, alive.LastPollLatency); // the simulator answers without fake time passing

        var dead = registry.Find("dead")!;
        var offline = Assert.Single(seen.Events);
        Assert.Equal(DeviceState.Offline, dead.State);
        Assert.Equal(offline.Data["reason"], dead.Reason);
        Assert.Null(dead.LastGoodAt);
        Assert.Equal((0L, seen.Readings.Count(r => r.Device == "dead")), (dead.GoodReadings, dead.BadReadings));
        Assert.Equal((status["dead"].Polls, status["dead"].Polls, 1L), (dead.Polls, dead.FailedPolls, dead.OfflineTransitions));
        Assert.Equal(TimeSpan.FromMilliseconds(100), dead.LastPollLatency); // one silent request costs its timeout

        // The histogram instrument saw every poll of both, with the same durations.
        lock (durations)
        {
            Assert.Equal(status["dead"].Polls, durations.Count(d => d.Device == "dead"));
            Assert.All(durations.Where(d => d.Device == "dead"), d => Assert.Equal(0.1, d.Seconds, 9));
            Assert.Equal(status["alive"].Polls, durations.Count(d => d.Device == "alive"));
        }
        Assert.Equal(["alive", "dead"], registry.Devices().Select(d => d.Device));
    }

    [Fact]
    public async Task A_pole_device_is_offline_with_its_reason_until_its_tracker_says_online()
    {
        var time = new WatchedFakeTime(Start);
        using var registry = new DeviceHealthRegistry();
        var output = new ChannelDriverOutput(new IngestQueue(1_000), registry);
        var tracker = new DeviceHealthTracker("pm-1", output, time, NullLogger.Instance);

        Assert.Null(registry.Find("pm-1"));
        await output.PublishAsync(Reading.Measure(time, "pm-1", "pm2_5", ReadingValue.None, "µg/m³", ReadingQuality.Bad, "no data"), default);
        Assert.Equal((DeviceState.Unknown, 1L), (registry.Find("pm-1")!.State, registry.Find("pm-1")!.BadReadings));

        await tracker.OfflineAsync("ENOENT /dev/ttyS2", default);
        await tracker.OfflineAsync("ENOENT /dev/ttyS2", default); // still offline: the tracker raises nothing, nothing is counted
        var offline = registry.Find("pm-1")!;
        Assert.Equal((DeviceState.Offline, "ENOENT /dev/ttyS2", 1L), (offline.State, offline.Reason, offline.OfflineTransitions));

        time.Advance(TimeSpan.FromSeconds(30));
        await tracker.OnlineAsync(default);
        await output.PublishAsync(Reading.Measure(time, "pm-1", "pm2_5", ReadingValue.FromDouble(12), "µg/m³"), default);
        var online = registry.Find("pm-1")!;
        Assert.Equal((DeviceState.Online, (string?)null, Start.AddSeconds(30)), (online.State, online.Reason, online.LastGoodAt));
        Assert.Equal((0L, (TimeSpan?)null), (online.Polls, online.LastPollLatency)); // a pushing sensor has no polls
    }

    [Fact]
    public async Task A_device_working_from_the_start_is_online_with_its_first_good_reading()
    {
        var time = new WatchedFakeTime(Start);
        using var registry = new DeviceHealthRegistry();
        var output = new ChannelDriverOutput(new IngestQueue(1_000), registry);

        await output.PublishAsync(Reading.Measure(time, "door-1", "state", ReadingValue.FromBoolean(true)), default);

        Assert.Equal((DeviceState.Online, Start), (registry.Find("door-1")!.State, registry.Find("door-1")!.LastGoodAt));
    }

    private static MeterListener ListenToPollDurations(DeviceHealthRegistry registry, List<(string Device, double Seconds)> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == registry.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            lock (into)
            {
                into.Add(((string)tags[0].Value!, seconds));
            }
        });
        listener.Start();
        return listener;
    }

    /// <summary>What the driver published, seen by the test and by the real output with its registry.</summary>
    private sealed class TeeOutput(IDriverOutput first, IDriverOutput second) : IDriverOutput
    {
        public async ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
        {
            await first.PublishAsync(reading, cancellationToken);
            await second.PublishAsync(reading, cancellationToken);
        }

        public async ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
        {
            await first.PublishAsync(driverEvent, cancellationToken);
            await second.PublishAsync(driverEvent, cancellationToken);
        }

        public void PollCompleted(string deviceId, TimeSpan latency, bool succeeded) => second.PollCompleted(deviceId, latency, succeeded);
    }
}
