using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Simulation.Mqtt;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// The platform's last word on a device survives the gateway's restarts (the acceptance suite's finding):
/// the real <c>run</c> between mosquitto, a pymodbus meter and a paho recorder. Three outages, each exactly
/// one <c>device.offline</c> and one <c>device.online</c>: across a <c>kill -9</c> with the meter back before
/// the restart, across a <c>kill -9</c> and a restart while the meter is still down, and across live
/// restarts of the Modbus group by <c>config/set</c>.
/// </summary>
public sealed class PublishedStateEndToEndTests
{
    private const string Node = "pole-state";
    private const string Device = "water-1";
    private const string Secret = "s3cret-Passphrase-42";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Each_outage_across_a_kill_9_or_a_live_restart_is_one_device_offline_and_one_device_online()
    {
        using var dir = new TempDirectory("gw-e2e-state");
        var meterPort = Net.FreePort();
        var meter = await StartMeterAsync(meterPort, dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/state" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "username": "{{Node}}", "telemetryBatchDelayMs": 100 },
              "devices": [ {{DeviceJson(meterPort, 200)}} ] }
            """);
        var environment = new Dictionary<string, string?> { ["GATEWAY_mqtt__password"] = Secret };
        var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path, environment);
        try
        {
            await paho.WaitForMessagesAsync(m => GoodReadingSeqs(m).Any(), Patience);

            // 1. The meter stops: device.offline reaches the platform (so it is stored and acknowledged).
            meter.Dispose();
            await paho.WaitForMessagesAsync(m => Events(m, "device.offline").Count == 1, Patience);

            // 2. kill -9, the meter answers again, the gateway starts: its new Modbus link knows nothing of the
            //    outage, yet the platform hears device.online once, before the new run's first good reading.
            gateway = await KillAndRestartAsync(gateway, config, dir, environment);
            meter = await StartMeterAsync(meterPort, dir);
            var online = await NextAsync(paho, "device.online", 1);
            Assert.Equal(Device, (string?)online["data"]!["device"]);
            Assert.Equal("answering again after a restart", (string?)online["data"]!["reason"]);
            Assert.Contains(gateway.Lines, l => l.Contains("1 device(s)/camera(s) reported down", StringComparison.Ordinal));
            Assert.DoesNotContain(GoodReadingSeqs(paho.Messages), s => s > SeqOf(Events(paho.Messages, "device.offline")[0]) && s < SeqOf(online));
            Assert.Single(Events(paho.Messages, "device.offline"));

            // 3. A second outage; kill -9 and a restart while the meter is still down: the new link finds the
            //    device offline again, which the platform already knows — no second device.offline for it.
            meter.Dispose();
            await paho.WaitForMessagesAsync(m => Events(m, "device.offline").Count == 2, Patience);
            gateway = await KillAndRestartAsync(gateway, config, dir, environment);
            await gateway.WaitForLineAsync($"Modbus device {Device} on", Patience); // "… is offline: …"
            meter = await StartMeterAsync(meterPort, dir);
            await NextAsync(paho, "device.online", 2);
            Assert.Equal(2, Events(paho.Messages, "device.offline").Count);

            // 4. A third outage across live restarts: config/set restarts the Modbus group while the meter is
            //    down and, the device still being offline under it, is rolled back (a second live restart);
            //    the new links' own device.offline reaches the apply check, not the platform.
            meter.Dispose();
            await paho.WaitForMessagesAsync(m => Events(m, "device.offline").Count == 3, Patience);
            var reply = await ConfigSetAsync(broker.Port, paho, $$"""{ "patch": { "devices": [ {{DeviceJson(meterPort, 250)}} ] } }""");
            Assert.True((bool?)reply["rolledBack"], reply.ToJsonString());
            Assert.Equal("modbus", (string?)reply["restarted"]);
            meter = await StartMeterAsync(meterPort, dir);
            await NextAsync(paho, "device.online", 3);
            Assert.Equal(3, Events(paho.Messages, "device.offline").Count);
            Assert.Equal(3, Events(paho.Messages, "device.online").Count);

            gateway.SendSigterm();
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n--- gateway output ---\n{gateway.Output}\n--- events ---\n{string.Join("\n", paho.Messages.Where(m => m.Topic.EndsWith("/events", StringComparison.Ordinal)).Select(Text))}", ex);
        }
        finally
        {
            gateway.Dispose();
            meter.Dispose();
        }
    }

    private static async Task<GatewayProcess> KillAndRestartAsync(GatewayProcess gateway, string config, TempDirectory dir, Dictionary<string, string?> environment)
    {
        gateway.SendSignal(9);
        Assert.NotNull(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        gateway.Dispose();
        return GatewayProcess.Start(["run", "--config", config], dir.Path, environment);
    }

    /// <summary>
    /// Waits for the <paramref name="count"/>th event of <paramref name="type"/> and then for a good reading
    /// stored after it: events go out in seq order, so any event stored before that reading is seen by then.
    /// </summary>
    private static async Task<JsonNode> NextAsync(PahoSubscriber paho, string type, int count)
    {
        await paho.WaitForMessagesAsync(m => Events(m, type).Count >= count, Patience);
        var found = Events(paho.Messages, type)[count - 1];
        await paho.WaitForMessagesAsync(m => GoodReadingSeqs(m).Any(s => s > SeqOf(found)), Patience);
        Assert.Equal(count, Events(paho.Messages, type).Count);
        return found;
    }

    private static long SeqOf(JsonNode e) => (long)e["seq"]!;

    private static Task<PymodbusServer> StartMeterAsync(int port, TempDirectory dir) =>
        PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), new ModbusTables([1234, 0], [0], [false], [false]), dir);

    private static string DeviceJson(int port, int pollMs) => $$"""
        { "id": "{{Device}}", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{port}}", "unitId": 1, "pollMs": {{pollMs}}, "timeoutMs": 300, "retries": 0,
          "points": [ { "name": "level", "table": "holding", "address": 0, "type": "u16" } ] }
        """;

    private static async Task<JsonObject> ConfigSetAsync(int port, PahoSubscriber paho, string args)
    {
        var pub = ExternalTool.Require("mosquitto_pub");
        Assert.Equal(0, ExternalTool.Run(pub, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1",
            "-t", $"city/{Node}/cmd/config/set", "-m", $$"""{ "id": "set-1", "args": {{args}} }"""], TimeSpan.FromSeconds(10)).ExitCode);
        var topic = $"city/{Node}/cmd/config/set/reply";
        await paho.WaitForMessagesAsync(m => m.Any(x => x.Topic == topic), Patience);
        return JsonNode.Parse(paho.Messages.First(x => x.Topic == topic).Payload)!.AsObject();
    }

    private static string Text(PahoSubscriber.Message m) => Encoding.UTF8.GetString(m.Payload);

    /// <summary>The events of <paramref name="type"/> for the meter, each seq once (delivery is at least once).</summary>
    private static List<JsonNode> Events(IEnumerable<PahoSubscriber.Message> messages, string type) =>
        [.. messages.Where(m => m.Topic == $"city/{Node}/events")
            .Select(m => JsonNode.Parse(m.Payload)!)
            .Where(e => (string?)e["type"] == type && (string?)e["source"] == Device)
            .DistinctBy(e => (long)e["seq"]!)
            .OrderBy(e => (long)e["seq"]!)];

    private static IEnumerable<long> GoodReadingSeqs(IEnumerable<PahoSubscriber.Message> messages) =>
        messages.Where(m => m.Topic == $"city/{Node}/telemetry")
            .SelectMany(m => JsonNode.Parse(m.Payload)!["readings"]!.AsArray())
            .Where(r => (string?)r!["quality"] == "good" && (string?)r["device"] == Device)
            .Select(r => (long)r!["seq"]!);
}
