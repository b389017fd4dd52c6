using System.Text.Json;
using Gateway.Drivers.Abstractions;
using Gateway.Host.Health;
using Gateway.Sync;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host.Health;

/// <summary>
/// The health topic through a real mosquitto to an independent paho subscriber: the store, the uplink,
/// the drivers' output and the health figures composed as the gateway composes them, at the shortest
/// interval the configuration allows (5 s).
/// </summary>
public class HealthTopicEndToEndTests
{
    private const string Node = "pole-health";

    [Fact]
    public async Task The_platform_receives_the_figures_unretained_with_the_devices_as_their_drivers_reported_them()
    {
        using var dir = new TempDirectory("gw-health-e2e");
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/health");
        await paho.WaitUntilReadyAsync();

        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDurableStore(o => o.Path = dir.File("buffer.db"));
        builder.Services.Configure<MqttOptions>(o =>
        {
            o.Brokers = [broker.Uri];
            o.ReconnectMinSeconds = 0.05;
            o.ReconnectMaxSeconds = 0.5;
        });
        builder.Services.AddCityBrainUplink(_ => new NodeIdentity(Node, "9.9.9"));
        builder.Services.AddDriverOutput();
        builder.Services.AddNodeHealth(new HealthOptions { IntervalSeconds = 5 });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var output = host.Services.GetRequiredService<IDriverOutput>();
            var time = host.Services.GetRequiredService<TimeProvider>();
            await output.PublishAsync(Reading.Measure(time, "water-1", "flow_total", 42.25, "m3"), default);
            await new DeviceHealthTracker("gas-1", output, time, host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test"))
                .OfflineAsync("ENOENT /dev/ttyS1", default);

            await paho.WaitForMessagesAsync(m => m.Count >= 1, TimeSpan.FromSeconds(30));

            var message = paho.Messages[0];
            Assert.False(message.Retained);
            using var doc = JsonDocument.Parse(message.Payload);
            var health = doc.RootElement;
            Assert.Equal(["v", "node", "ts", "uptimeS", "clock", "backlog", "droppedTotal", "devices", "cameras", "cpuPercent", "rssMB", "diskFreeMB"],
                health.EnumerateObject().Select(p => p.Name));
            Assert.Equal(Node, health.GetProperty("node").GetString());
            Assert.InRange(health.GetProperty("uptimeS").GetInt64(), 4, 30);
            Assert.Equal("online", health.GetProperty("devices").GetProperty("water-1").GetProperty("state").GetString());
            Assert.Equal("offline", health.GetProperty("devices").GetProperty("gas-1").GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.Null, health.GetProperty("devices").GetProperty("gas-1").GetProperty("lastGoodTs").ValueKind);
            Assert.InRange(health.GetProperty("rssMB").GetDouble(), 10, 2048); // this test process, read from /proc/self/status
            Assert.True(health.GetProperty("diskFreeMB").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Number, health.GetProperty("backlog").GetProperty("records").ValueKind);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
