using Gateway.Simulation.Mqtt;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Host.EndToEnd;

/// <summary>
/// The built gateway (`run --config`) between independent peers: a pymodbus meter, a mosquitto
/// broker, a paho subscriber as the city brain and mosquitto_pub sending commands.
/// </summary>
public class GatewayEndToEndTests
{
    private const string Node = "pole-e2e";
    private const string Secret = "s3cret-Passphrase-42";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Meter_readings_travel_from_modbus_to_the_city_brain_and_commands_come_back()
    {
        using var dir = new TempDirectory("gw-e2e-host");
        // flow_total = 1234.5 as f32, word order CDAB (low word first) as in SPEC section 4's example
        var bits = BitConverter.SingleToUInt32Bits(1234.5f);
        var holding = new ushort[] { (ushort)(bits & 0xFFFF), (ushort)(bits >> 16), 0, 0 };
        var meterPort = Net.FreePort();
        var meter = await PymodbusServer.StartAsync("tcp", meterPort.ToString(CultureInfo.InvariantCulture), new ModbusTables(holding, [0], [false], [false]), dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/e2e" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "username": "{{Node}}", "telemetryBatchDelayMs": 100 },
              "devices": [
                { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meterPort}}", "unitId": 1, "pollMs": 200,
                  "timeoutMs": 300, "retries": 0,
                  "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] } ] }
            """);
        using var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path, new Dictionary<string, string?> { ["GATEWAY_mqtt__password"] = Secret });
        try
        {
            // 1. A reading, decoded right, arrives as SPEC section 3 telemetry.
            await paho.WaitForMessagesAsync(m => Readings(m).Any(), Patience);
            var reading = Readings(paho.Messages).First();
            Assert.Equal("water-1", reading.GetProperty("device").GetString());
            Assert.Equal("flow_total", reading.GetProperty("point").GetString());
            Assert.Equal(1234.5, reading.GetProperty("value").GetDouble());
            Assert.Equal("m3", reading.GetProperty("unit").GetString());
            Assert.Equal("good", reading.GetProperty("quality").GetString());
            Assert.True(reading.GetProperty("seq").GetInt64() >= 1);
            Assert.Contains(paho.Messages, m => m.Topic == $"city/{Node}/status" && Text(m).Contains("\"state\":\"online\"", StringComparison.Ordinal));

            // 2. config/get answers with the configuration in force, the secret redacted.
            var pub = ExternalTool.Require("mosquitto_pub");
            Assert.Equal(0, ExternalTool.Run(pub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1",
                "-t", $"city/{Node}/cmd/config/get", "-m", """{"id":"cfg-1"}"""], TimeSpan.FromSeconds(10)).ExitCode);
            await paho.WaitForMessagesAsync(m => m.Any(x => x.Topic == $"city/{Node}/cmd/config/get/reply"), Patience);
            var reply = JsonDocument.Parse(paho.Messages.First(x => x.Topic == $"city/{Node}/cmd/config/get/reply").Payload).RootElement;
            Assert.Equal("cfg-1", reply.GetProperty("id").GetString());
            Assert.True(reply.GetProperty("ok").GetBoolean());
            var mqtt = reply.GetProperty("result").GetProperty("config").GetProperty("mqtt");
            Assert.Equal("***", mqtt.GetProperty("password").GetString());
            Assert.Equal(Node, mqtt.GetProperty("username").GetString());

            // 3. The meter dies: the platform hears device.offline as an event, and bad-quality readings.
            meter.Dispose();
            await paho.WaitForMessagesAsync(m => m.Any(x => x.Topic == $"city/{Node}/events" && Text(x).Contains("\"type\":\"device.offline\"", StringComparison.Ordinal)), Patience);
            var offline = JsonDocument.Parse(paho.Messages.First(x => x.Topic == $"city/{Node}/events").Payload).RootElement;
            Assert.Equal("water-1", offline.GetProperty("source").GetString());
            Assert.Equal(Node, offline.GetProperty("node").GetString());

            // 4. A graceful stop leaves the retained status offline.
            gateway.SendSigterm();
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            await paho.WaitForMessagesAsync(m => m.Any(x => x.Topic == $"city/{Node}/status" && Text(x).Contains("\"state\":\"offline\"", StringComparison.Ordinal)), Patience);

            // The secret never appears in what the gateway logged nor in anything it published.
            Assert.DoesNotContain(Secret, gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(paho.Messages, m => Text(m).Contains(Secret, StringComparison.Ordinal));

            // 5. What was stored but not yet sent at the stop goes out after a restart: the platform
            //    then holds every seq from 1 to the newest, nothing missing (duplicates allowed).
            var beforeRestart = Seqs(paho.Messages).Max();
            using var restarted = GatewayProcess.Start(["run", "--config", config], dir.Path, new Dictionary<string, string?> { ["GATEWAY_mqtt__password"] = Secret });
            await paho.WaitForMessagesAsync(m => Seqs(m) is var seen && seen.Max() > beforeRestart && seen.Count == seen.Max(), Patience);
            restarted.SendSigterm();
            Assert.Equal(0, await restarted.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (Exception ex) when (ex is TimeoutException)
        {
            throw new TimeoutException($"{ex.Message}\n--- gateway output ---\n{gateway.Output}\n--- seen ---\n{string.Join("\n", paho.Messages.Select(m => $"{m.Topic} {Text(m)}"))}", ex);
        }
        finally
        {
            meter.Dispose();
        }
    }

    private static string Text(PahoSubscriber.Message m) => Encoding.UTF8.GetString(m.Payload);

    private static IEnumerable<JsonElement> Readings(IEnumerable<PahoSubscriber.Message> messages) =>
        messages.Where(m => m.Topic == $"city/{Node}/telemetry")
            .SelectMany(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("readings").EnumerateArray())
            .Where(r => r.GetProperty("quality").GetString() == "good");

    /// <summary>The distinct seqs of every telemetry reading and event seen.</summary>
    private static HashSet<long> Seqs(IEnumerable<PahoSubscriber.Message> messages) =>
        messages.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal))
            .SelectMany(SeqsOf).ToHashSet();

    private static IEnumerable<long> SeqsOf(PahoSubscriber.Message m)
    {
        var root = JsonDocument.Parse(m.Payload).RootElement;
        return root.TryGetProperty("readings", out var readings)
            ? readings.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()).ToList()
            : [root.GetProperty("seq").GetInt64()];
    }
}
