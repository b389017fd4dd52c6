using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Tests.Drivers.Modbus.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Gateway.Simulation.Modbus;

namespace Gateway.Tests.Drivers.Modbus;

public class ModbusServiceCollectionTests
{
    [Fact]
    public async Task AddModbusDrivers_polls_into_the_shared_queue()
    {
        var registers = new ModbusRegisterArray(256);
        registers.Registers[5] = 777;
        await using var device = new SimulatedModbusServer(new SimulatedModbusOptions { UnitId = 1, Registers = registers });
        var sink = new CollectingDriverOutput();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIngestCollector(sink); // where the store's writer stands in the product
        services.AddModbusDrivers(o => o.Devices =
        [
            new DeviceOptions { Id = "m", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{device.Port}", PollMs = 100, Points = [new PointOptions { Name = "p", Table = "holding", Address = 5 }] },
            new DeviceOptions { Id = "door", Type = "gpio-input" },
        ]);
        await using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<IModbusWriter>());
        var status = provider.GetRequiredService<IModbusDriverStatus>();
        Assert.Equal(["m"], status.GetStatus().Select(s => s.DeviceId));

        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Equal(2, hosted.Count); // the queue's reader and the driver
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (sink.Readings.Length < 3)
        {
            await Task.Delay(20, wait.Token);
        }
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
        Assert.All(sink.Readings, r => Assert.Equal(("m", "p", "777", ReadingQuality.Good), (r.Device, r.Point, r.Value.ToString(), r.Quality)));
    }
}
