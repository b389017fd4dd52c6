using System.IO.Pipelines;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using Gateway.Drivers.Sensors;
using Gateway.Tests.Drivers.Sensors;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Simulation.Sensors;

namespace Gateway.Tests.Drivers.Pole;

/// <summary>
/// Every kind of device that fails is visible to the platform as <c>device.offline</c> with a
/// specific reason, once per streak, and as <c>device.online</c> when it works again.
/// </summary>
public sealed class PoleDeviceHealthTests
{
    private readonly FakeBootClock _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectingDriverOutput _sink = new();

    private GatewayEvent[] EventsOf(string device, string type) => [.. _sink.Events.Where(e => e.Source == device && e.Type == type)];

    private async Task<ServiceProvider> StartAsync(Action<IServiceCollection> add)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<TimeProvider>(_time)
            .AddIngestCollector(_sink);
        add(services);
        var provider = services.BuildServiceProvider();
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
        return provider;
    }

    private static async Task StopAsync(ServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>().Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }
        await provider.DisposeAsync();
    }

    /// <summary>Lets the supervisor's back-off pass (fake time) until <paramref name="condition"/> holds.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}; events: {string.Join(", ", _sink.Events.Select(e => $"{e.Type}({e.Source})"))}");
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_gps_on_a_missing_port_is_offline_with_ENOENT_once_and_online_when_the_port_appears()
    {
        using var temp = new TempDirectory();
        var port = temp.File("ttyB"); // where socat will put the gateway's end, later
        var provider = await StartAsync(s => s.AddPoleSensors(o =>
        {
            o.StateDirectory = temp.Path;
            o.Devices = [new DeviceOptions { Id = "gps-1", Type = "nmea", Port = port, PollMs = 0 }];
        }));
        try
        {
            await AdvanceUntilAsync(() => EventsOf("gps-1", "device.offline").Length == 1, "device.offline");
            Assert.Equal($"ENOENT {port}", EventsOf("gps-1", "device.offline")[0].Data["reason"]);

            // Retries (1 s, 2 s, 4 s, ... of fake time) keep failing: still one event.
            var start = _time.GetUtcNow();
            await AdvanceUntilAsync(() => _time.GetUtcNow() - start > TimeSpan.FromSeconds(20), "20 s of retries");
            Assert.Single(EventsOf("gps-1", "device.offline"));
            Assert.Empty(_sink.Readings);

            using var pty = await SocatPtyPair.StartAsync(temp);
            await using var receiver = pty.OpenDeviceEnd();
            var gga = System.Text.Encoding.ASCII.GetBytes(NmeaWriter.Sentence("GPGGA,080000.00,3054.1234,N,12128.5678,E,1,08,0.9,4.5,M,8.1,M,,"));
            await AdvanceUntilAsync(() =>
            {
                receiver.Write(gga);
                return EventsOf("gps-1", "device.online").Length == 1;
            }, "device.online");
            await _sink.WaitUntilAsync(s => s.Of("latitude").Length > 0, what: "a latitude reading");
            Assert.Equal(30.902057, _sink.Of("latitude")[0].Value.ExpectDouble(), 5);
            Assert.Single(EventsOf("gps-1", "device.offline"));
        }
        finally
        {
            await StopAsync(provider);
        }
    }

    [Fact]
    public async Task A_missing_gpio_chip_and_i2c_bus_are_offline_with_their_device_files()
    {
        using var temp = new TempDirectory();
        var provider = await StartAsync(s => s.AddPoleSensors(o =>
        {
            o.StateDirectory = temp.Path;
            o.Devices =
            [
                new DeviceOptions { Id = "door-1", Type = "gpio-input", Chip = "gpiochip99", Line = 17 },
                new DeviceOptions { Id = "relay-1", Type = "gpio-output", Chip = "gpiochip98", Line = 3, SafeState = false },
                new DeviceOptions { Id = "env-1", Type = "bme280", I2cBus = 99, Address = 0x76 },
            ];
        }));
        try
        {
            await AdvanceUntilAsync(() => _sink.Events.Count(e => e.Type == "device.offline") == 3, "three device.offline events");
            Assert.Equal("ENOENT /dev/gpiochip99", EventsOf("door-1", "device.offline")[0].Data["reason"]);
            Assert.Equal("ENOENT /dev/gpiochip98", EventsOf("relay-1", "device.offline")[0].Data["reason"]);
            Assert.Equal("ENOENT /dev/i2c-99", EventsOf("env-1", "device.offline")[0].Data["reason"]);
        }
        finally
        {
            await StopAsync(provider);
        }
    }

    [Fact]
    public async Task A_sensor_that_falls_silent_is_offline_with_timeout_and_one_sending_only_damaged_frames_with_checksum_errors()
    {
        var device = new DeviceOptions { Id = "pm-1", Type = "pms5003", Port = "pipe", PollMs = 1000 };
        var driver = new Pms5003Driver(device, new TermiosSerialPortOpener([new SimulatedSerialPorts()]), _sink, _time, NullLogger.Instance);
        var pipe = new Pipe();
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => driver.RunOnStreamAsync(pipe.Reader.AsStream(), stop.Token));
        var good = CaptureFixtures.Pms5003[0].Frame;

        await pipe.Writer.WriteAsync(good);
        await _sink.WaitUntilAsync(s => s.Of("pm10").Length == 1, what: "the first reading");
        Assert.Empty(_sink.Events); // working from the start: nothing to report

        await AdvanceUntilAsync(() => EventsOf("pm-1", "device.offline").Length == 1, "device.offline after silence");
        Assert.Equal("timeout (no data for 10 s)", EventsOf("pm-1", "device.offline")[0].Data["reason"]);

        await pipe.Writer.WriteAsync(good);
        await AdvanceUntilAsync(() => EventsOf("pm-1", "device.online").Length == 1, "device.online");

        var damaged = (byte[])good.Clone();
        damaged[7] ^= 0x10;
        await AdvanceUntilAsync(() =>
        {
            pipe.Writer.WriteAsync(damaged).AsTask().GetAwaiter().GetResult();
            return EventsOf("pm-1", "device.offline").Length == 2;
        }, "device.offline with checksum errors");
        Assert.StartsWith("checksum errors (", (string)EventsOf("pm-1", "device.offline")[1].Data["reason"]!, StringComparison.Ordinal);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Modbus_says_connection_refused_for_a_closed_tcp_port_and_ENOENT_for_a_missing_serial_port()
    {
        using var temp = new TempDirectory();
        var missingPort = temp.File("ttyRS485");
        var provider = await StartAsync(s => s.AddModbusDrivers(o =>
        {
            o.Buses = [new BusOptions { Id = "rs485-1", Port = missingPort }];
            o.Devices =
            [
                new DeviceOptions { Id = "water-1", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{Net.FreePort()}", PollMs = 1000, Points = [new PointOptions { Name = "p", Table = "holding", Address = 0 }] },
                new DeviceOptions { Id = "gas-1", Type = "modbus", Bus = "rs485-1", UnitId = 3, PollMs = 1000, Points = [new PointOptions { Name = "p", Table = "holding", Address = 0 }] },
            ];
        }));
        try
        {
            await AdvanceUntilAsync(() => _sink.Events.Count(e => e.Type == "device.offline") == 2, "two device.offline events");
            Assert.Equal("connection refused", EventsOf("water-1", "device.offline")[0].Data["reason"]);
            Assert.Equal($"ENOENT {missingPort}", EventsOf("gas-1", "device.offline")[0].Data["reason"]);
            Assert.Equal("gas-1", EventsOf("gas-1", "device.offline")[0].Data["device"]);
        }
        finally
        {
            await StopAsync(provider);
        }
    }
}
