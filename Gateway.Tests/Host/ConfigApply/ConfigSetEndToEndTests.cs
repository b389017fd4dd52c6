using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Host.ConfigApply;

/// <summary>
/// <c>config/set</c> on the built gateway (`run --config`) between independent peers: a pymodbus
/// meter, a mosquitto broker, a paho subscriber as the city brain and mosquitto_pub sending the
/// commands. Every kind of change and every kind of reply of SPEC section 3, and the
/// <c>config.applied</c> events they publish.
/// </summary>
public class ConfigSetEndToEndTests
{
    private const string Node = "pole-cfgset";
    private const string Secret = "s3cret-Passphrase-77";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Whole_file_patch_stale_invalid_rolled_back_and_host_restart_changes_over_MQTT_each_get_their_reply_and_event()
    {
        using var dir = new TempDirectory("gw-e2e-cfgset");
        var meterPort = Net.FreePort();
        using var meter = await PymodbusServer.StartAsync("tcp", meterPort.ToString(CultureInfo.InvariantCulture), new ModbusTables([1234, 42, 0, 0], [0], [false], [false]), dir);
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "{{Node}}", "site": "test/cfgset" },
              "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["{{broker.Uri}}"], "username": "{{Node}}", "password": "{{Secret}}", "telemetryBatchDelayMs": 100 },
              "host": { "applyHealthSeconds": 2 },
              "devices": [ {{Device("water-1", meterPort, 0)}} ] }
            """);
        using var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path);
        var pub = ExternalTool.Require("mosquitto_pub");
        try
        {
            await paho.WaitForMessagesAsync(m => Readings(m, "water-1").Any(), Patience);

            // config/get: the version to build on, the secret redacted.
            var get = await CommandAsync(pub, broker.Port, paho, "config/get", "get-1", "{}");
            var v0 = (string)get["result"]!["version"]!;
            var shown = get["result"]!["config"]!.AsObject();
            Assert.Equal("***", (string?)shown["mqtt"]!["password"]);

            // 1. The whole file as config/get showed it, one value edited: applied; the secret kept.
            shown["devices"]![0]!["pollMs"] = 300;
            var whole = await CommandAsync(pub, broker.Port, paho, "config/set", "set-whole", new JsonObject { ["config"] = shown.DeepClone(), ["baseVersion"] = v0 }.ToJsonString());
            Assert.True((bool)whole["ok"]!, whole.ToJsonString());
            Assert.True((bool)whole["result"]!["applied"]!);
            var v1 = (string)whole["result"]!["version"]!;
            Assert.NotEqual(v0, v1);
            var onDisk = JsonNode.Parse(File.ReadAllText(config))!;
            Assert.Equal(Secret, (string?)onDisk["mqtt"]!["password"]);
            Assert.Equal(300, (int)onDisk["devices"]![0]!["pollMs"]!);

            // 2. A merge patch adding a device: applied, and the new device starts publishing.
            var patch = await CommandAsync(pub, broker.Port, paho, "config/set", "set-patch",
                $$"""{ "patch": { "devices": [ {{Device("water-1", meterPort, 0, pollMs: 300)}}, {{Device("water-2", meterPort, 1)}} ] }, "baseVersion": "{{v1}}" }""");
            Assert.True((bool)patch["ok"]!, patch.ToJsonString());
            var v2 = (string)patch["result"]!["version"]!;
            Assert.Equal("modbus", (string?)patch["result"]!["restarted"]);
            await paho.WaitForMessagesAsync(m => Readings(m, "water-2").Any(), Patience);
            Assert.Equal(42, (int)Readings(paho.Messages, "water-2").First()["value"]!);

            // 3. A stale baseVersion: refused, nothing changed.
            var stale = await CommandAsync(pub, broker.Port, paho, "config/set", "set-stale", $$"""{ "patch": { "node": { "site": "x" } }, "baseVersion": "{{v0}}" }""");
            Assert.False((bool)stale["ok"]!);
            Assert.Equal("version conflict", (string?)stale["error"]);

            // 4. An invalid value: refused with its path.
            var invalid = await CommandAsync(pub, broker.Port, paho, "config/set", "set-invalid",
                $$"""{ "patch": { "devices": [ {{Device("water-1", meterPort, 0, pollMs: -5)}} ] } }""");
            Assert.False((bool)invalid["ok"]!);
            Assert.Contains(invalid["errors"]!.AsArray(), e => (string?)e!["path"] == "devices[0].pollMs");

            // 5. A device nobody answers for: applied, offline within the health window, rolled back.
            var deadPort = Net.FreePort();
            var rolled = await CommandAsync(pub, broker.Port, paho, "config/set", "set-rollback",
                $$"""{ "patch": { "devices": [ {{Device("water-1", meterPort, 0, pollMs: 300)}}, {{Device("water-2", meterPort, 1)}}, {{Device("water-3", deadPort, 0)}} ] } }""");
            Assert.False((bool)rolled["ok"]!, rolled.ToJsonString());
            Assert.True((bool)rolled["rolledBack"]!);
            Assert.Contains(rolled["errors"]!.AsArray(), e => (string?)e!["path"] == "devices[2]");
            Assert.Equal(v2, (string?)rolled["version"]);
            var afterRollback = await CommandAsync(pub, broker.Port, paho, "config/get", "get-2", "{}");
            Assert.Equal(v2, (string?)afterRollback["result"]!["version"]);
            Assert.Equal(2, afterRollback["result"]!["config"]!["devices"]!.AsArray().Count);

            // 6. A section only a new host can take (node.site): the host restarts in-process and runs it.
            var site = await CommandAsync(pub, broker.Port, paho, "config/set", "set-site", $$"""{ "patch": { "node": { "site": "test/moved" } }, "baseVersion": "{{v2}}" }""");
            Assert.True((bool)site["ok"]!, site.ToJsonString());
            Assert.Equal("host", (string?)site["result"]!["restarted"]);
            var v3 = (string)site["result"]!["version"]!;
            await gateway.WaitForLineAsync("running after a host restart", Patience);
            var afterRestart = await CommandAsync(pub, broker.Port, paho, "config/get", "get-3", "{}");
            Assert.Equal(v3, (string?)afterRestart["result"]!["version"]);
            Assert.Equal("test/moved", (string?)afterRestart["result"]!["config"]!["node"]!["site"]);

            // 7. A host-level change the new host cannot start with (a store where none can be): the
            //    previous file is restored and run, and the rollback reaches the platform as an event.
            var badStore = await CommandAsync(pub, broker.Port, paho, "config/set", "set-store", """{ "patch": { "storage": { "path": "/proc/no-store-here/buffer.db" } } }""");
            Assert.True((bool)badStore["ok"]!, badStore.ToJsonString());
            Assert.Equal("host", (string?)badStore["result"]!["restarted"]);
            await paho.WaitForMessagesAsync(m => Applied(m).Any(a => (string?)a["result"] == "rolled-back" && (string?)a["version"] == v3), Patience);
            var afterStoreRollback = await CommandAsync(pub, broker.Port, paho, "config/get", "get-4", "{}");
            Assert.Equal(v3, (string?)afterStoreRollback["result"]!["version"]);
            Assert.Equal("data/buffer.db", (string?)afterStoreRollback["result"]!["config"]!["storage"]!["path"]);

            // config.applied for each, as SPEC section 3 says.
            await paho.WaitForMessagesAsync(m => Applied(m).Count >= 8, Patience);
            var applied = Applied(paho.Messages);
            Assert.All(applied, a => Assert.Equal("city-brain", (string?)a["by"]));
            Assert.All(applied, a => Assert.Equal("mqtt", (string?)a["via"]));
            Assert.Contains(applied, a => (string?)a["result"] == "applied" && (string?)a["version"] == v1);
            Assert.Contains(applied, a => (string?)a["result"] == "applied" && (string?)a["version"] == v2);
            Assert.Contains(applied, a => (string?)a["result"] == "applied" && (string?)a["version"] == v3);
            Assert.Equal(2, applied.Count(a => (string?)a["result"] == "rejected"));
            Assert.Contains(applied, a => (string?)a["result"] == "rolled-back" && (string?)a["version"] == v2);
            Assert.Contains(applied, a => (string?)a["result"] == "rolled-back" && (string?)a["version"] == v3);

            // The audit log beside the store has every attempt; neither it nor anything published holds the secret.
            var audit = File.ReadAllLines(dir.File("data/audit.jsonl"));
            Assert.Equal(["applied", "applied", "conflict", "rejected", "rolled-back", "applied", "applied", "rolled-back"], audit.Select(l => (string?)JsonNode.Parse(l)!["result"]));
            Assert.DoesNotContain(Secret, string.Join("\n", audit), StringComparison.Ordinal);
            Assert.DoesNotContain(paho.Messages, m => Text(m).Contains(Secret, StringComparison.Ordinal));
            Assert.DoesNotContain(Secret, gateway.Output, StringComparison.Ordinal);

            gateway.SendSigterm();
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (Exception ex) when (ex is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- gateway output ---\n{gateway.Output}\n--- seen ---\n{string.Join("\n", paho.Messages.Where(m => !m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(m => $"{m.Topic} {Text(m)}"))}", ex);
        }
    }

    private static string Device(string id, int port, int address, int pollMs = 200) => $$"""
        { "id": "{{id}}", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{port}}", "unitId": 1, "pollMs": {{pollMs}}, "timeoutMs": 300, "retries": 0,
          "points": [ { "name": "level", "table": "holding", "address": {{address}}, "type": "u16" } ] }
        """;

    /// <summary>Sends a command with mosquitto_pub and returns its reply (matched by id).</summary>
    private static async Task<JsonObject> CommandAsync(string pub, int port, PahoSubscriber paho, string name, string id, string args)
    {
        var request = $$"""{ "id": "{{id}}", "args": {{args}} }""";
        Assert.Equal(0, ExternalTool.Run(pub, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1",
            "-t", $"city/{Node}/cmd/{name}", "-m", request], TimeSpan.FromSeconds(10)).ExitCode);
        var topic = $"city/{Node}/cmd/{name}/reply";
        await paho.WaitForMessagesAsync(m => m.Any(x => x.Topic == topic && IdOf(x) == id), Patience);
        return JsonNode.Parse(paho.Messages.First(x => x.Topic == topic && IdOf(x) == id).Payload)!.AsObject();
    }

    private static string? IdOf(PahoSubscriber.Message m) => (string?)JsonNode.Parse(m.Payload)!["id"];

    private static List<JsonObject> Applied(IEnumerable<PahoSubscriber.Message> messages) =>
        [.. messages.Where(m => m.Topic == $"city/{Node}/events")
            .Select(m => JsonNode.Parse(m.Payload)!)
            .Where(e => (string?)e["type"] == "config.applied")
            .Select(e => e["data"]!.AsObject())];

    private static string Text(PahoSubscriber.Message m) => Encoding.UTF8.GetString(m.Payload);

    private static IEnumerable<JsonNode> Readings(IEnumerable<PahoSubscriber.Message> messages, string device) =>
        messages.Where(m => m.Topic == $"city/{Node}/telemetry")
            .SelectMany(m => JsonNode.Parse(m.Payload)!["readings"]!.AsArray())
            .Where(r => (string?)r!["device"] == device && (string?)r["quality"] == "good")
            .Select(r => r!);
}
