using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Tests.Drivers.Modbus.Transport;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus;

/// <summary>What <c>AddModbusDrivers</c> registers, and that the registered driver runs into the shared ingest queue on the host's clock.</summary>
public class ModbusServiceCollectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task One_driver_serves_as_writer_and_status_and_polls_the_modbus_devices_into_the_shared_queue_on_the_hosts_clock()
    {
        var registers = new ModbusRegisterArray(256);
        registers.Registers[5] = 777;
        await using var device = new SimulatedModbusServer(new SimulatedModbusOptions { UnitId = 1, Registers = registers });
        var sink = new CollectingDriverOutput();
        var time = new WatchedFakeTime(Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddIngestCollector(sink); // where the store's writer stands in the product
        void Configure(ModbusDriverOptions o) => o.Devices =
        [
            new DeviceOptions { Id = "m", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{device.Port}", PollMs = 100, Points = [new PointOptions { Name = "p", Table = "holding", Address = 5, Writable = true }] },
            new DeviceOptions { Id = "door", Type = "gpio-input" },
        ];
        services.AddModbusDrivers(Configure);
        services.AddModbusDrivers(Configure); // a second call adds nothing: one driver
        await using var provider = services.BuildServiceProvider();

        var writer = provider.GetRequiredService<IModbusWriter>();
        var status = provider.GetRequiredService<IModbusDriverStatus>();
        Assert.Same(writer, status);
        Assert.Same(writer, provider.GetRequiredService<IModbusWriter>());
        // Only devices of type modbus become Modbus devices, grouped by endpoint into links.
        var m = Assert.Single(status.GetStatus());
        Assert.Equal(("m", $"tcp://127.0.0.1:{device.Port}", 1), (m.DeviceId, m.Link, m.ReadsPerPoll));
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Equal(["IngestQueueCollector", "ModbusDriverService"], hosted.Select(h => h.GetType().Name).Order(StringComparer.Ordinal));

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
        try
        {
            // The first poll is due at once; the second only when the host's (fake) clock says 100 ms have passed.
            // The clock moves only once the link waits for that slot: moved earlier (the reading can reach the
            // sink before the link arms its timer), the slot would be counted from the moved clock and never come.
            await Eventually.HoldsAsync(() => sink.Readings.Length == 1 && time.IsArmed(o => o is ReusableDelay),
                () => $"the first poll and the link waiting for the next; {sink.Readings.Length} readings");
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Eventually.HoldsAsync(() => sink.Readings.Length == 2, () => $"the second poll; {sink.Readings.Length} readings");

            Assert.Equal([Start, Start.AddMilliseconds(100)], sink.Readings.Select(r => r.MeasuredAt));
            Assert.All(sink.Readings, r => Assert.Equal(("m", "p", "777", ReadingQuality.Good), (r.Device, r.Point, r.Value.ToString(), r.Quality)));

            var written = await writer.WriteAsync("m", "p", 4321, CancellationToken.None);
            Assert.Equal(ModbusWriteStatus.Written, written.Status);
            Assert.Equal(4321, registers.Registers[5]);
            Assert.Equal(ModbusWriteStatus.UnknownDevice, (await writer.WriteAsync("door", "p", 1, CancellationToken.None)).Status);
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    [Theory]
    [InlineData("bus", "devices[0].bus: unknown bus 'rs485-9' (defined: rs485-1)")]
    [InlineData("endpoint", "devices[0].endpoint: invalid endpoint 'udp://127.0.0.1:502': scheme 'udp' is not one of tcp, rtu+tcp")]
    public void A_device_on_an_unknown_bus_or_a_bad_endpoint_is_refused_when_the_driver_is_built(string mistake, string message)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIngestCollector(new CollectingDriverOutput());
        services.AddModbusDrivers(o =>
        {
            o.Buses = [new BusOptions { Id = "rs485-1", Port = "/dev/ttyS1" }];
            o.Devices = [mistake == "bus"
                ? new DeviceOptions { Id = "m", Type = "modbus", Bus = "rs485-9", Points = [new PointOptions { Name = "p", Table = "holding", Address = 0 }] }
                : new DeviceOptions { Id = "m", Type = "modbus", Endpoint = "udp://127.0.0.1:502", Points = [new PointOptions { Name = "p", Table = "holding", Address = 0 }] }];
        });
        using var provider = services.BuildServiceProvider();

        // The options are validated when the driver is built (and at the host's start): the problem comes with its key's path.
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IModbusWriter>());
        Assert.Equal([message], e.Failures);
    }
}
