using Gateway.Simulation.Mqtt;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Sync;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Sync.Uplink;

/// <summary>
/// The store, the forwarder and our MQTT client together against a real mosquitto, watched by an
/// independent paho subscriber: every seq arrives (duplicates allowed), payloads as SPEC section 3.
/// </summary>
public class UplinkEndToEndTests
{
    private const string Node = "pole-e2e";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static IHost BuildGateway(string storePath, string brokerUri)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddDurableStore(o =>
        {
            o.Path = storePath;
            o.MaxMegabytes = 64;
            o.AckFlushSeconds = 0.5;
        });
        builder.Services.Configure<MqttOptions>(o =>
        {
            o.Brokers = [brokerUri];
            o.ProtocolVersion = "5.0";
            o.KeepAliveSeconds = 10;
            o.ReconnectMinSeconds = 0.05;
            o.ReconnectMaxSeconds = 0.5;
            o.ConnectTimeoutSeconds = 5;
            o.TelemetryBatchSize = 200;
            o.TelemetryBatchDelayMs = 50;
        });
        builder.Services.AddCityBrainUplink(_ => new NodeIdentity(Node, "9.9.9"));
        return builder.Build();
    }

    /// <summary>Every seq in a telemetry or event payload paho saw, checking each payload's shape on the way.</summary>
    private static HashSet<long> SeenSeqs(PahoSubscriber paho)
    {
        var seqs = new HashSet<long>();
        foreach (var m in paho.Messages)
        {
            using var doc = JsonDocument.Parse(m.Payload);
            var root = doc.RootElement;
            if (m.Topic == $"city/{Node}/telemetry")
            {
                Assert.Equal(1, root.GetProperty("v").GetInt32());
                Assert.Equal(Node, root.GetProperty("node").GetString());
                foreach (var r in root.GetProperty("readings").EnumerateArray())
                {
                    Assert.Equal("water-1", r.GetProperty("device").GetString());
                    Assert.Equal("flow", r.GetProperty("point").GetString());
                    Assert.Equal("m3/h", r.GetProperty("unit").GetString());
                    Assert.Equal("good", r.GetProperty("quality").GetString());
                    Assert.Equal(JsonValueKind.Number, r.GetProperty("value").ValueKind);
                    Assert.True(DateTimeOffset.TryParseExact(r.GetProperty("ts").GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ts));
                    Assert.True(ts.Year >= 2024);
                    seqs.Add(r.GetProperty("seq").GetInt64());
                }
            }
            else if (m.Topic == $"city/{Node}/events")
            {
                Assert.Equal(1, root.GetProperty("v").GetInt32());
                Assert.Equal(Node, root.GetProperty("node").GetString());
                Assert.Equal("test.marker", root.GetProperty("type").GetString());
                Assert.Equal("producer", root.GetProperty("source").GetString());
                Assert.Equal(JsonValueKind.Object, root.GetProperty("data").ValueKind);
                seqs.Add(root.GetProperty("seq").GetInt64());
            }
        }
        return seqs;
    }

    [Fact]
    public async Task Every_seq_reaches_the_platform_across_broker_restarts_and_a_gateway_restart()
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/#");
        await paho.WaitUntilReadyAsync();
        using var dir = new TempDirectory("gw-e2e");
        var storePath = dir.File("buffer.db");

        long lastSeq = 0;
        var gateway = BuildGateway(storePath, broker.Uri);
        await gateway.StartAsync();
        try
        {
            for (var round = 0; round < 8; round++)
            {
                var store = gateway.Services.GetRequiredService<IRecordStore>();
                for (var chunk = 0; chunk < 10; chunk++)
                {
                    var readings = Enumerable.Range(0, 100).Select(i => Reading.Measure(TimeProvider.System, "water-1", "flow", ReadingValue.FromDouble(i * 0.5), "m3/h")).ToList();
                    lastSeq = Math.Max(lastSeq, (await store.AppendReadingsAsync(readings)).Last);
                    if (chunk % 5 == 0)
                    {
                        lastSeq = Math.Max(lastSeq, await store.AppendEventAsync(GatewayEvent.Now(TimeProvider.System, "test.marker", "producer", $$"""{"round":{{round}}}""")));
                    }
                    await Task.Delay(10);
                }
                switch (round % 4)
                {
                    case 1 or 3:
                        // the broker goes away with messages in flight and comes back
                        await broker.StopAsync();
                        await Task.Delay(300);
                        await broker.StartAsync();
                        break;
                    case 2:
                        // the gateway restarts: what was not acknowledged is still in the store
                        await gateway.StopAsync();
                        gateway.Dispose();
                        gateway = BuildGateway(storePath, broker.Uri);
                        await gateway.StartAsync();
                        break;
                }
            }

            var expected = Enumerable.Range(1, (int)lastSeq).Select(i => (long)i).ToHashSet();
            await WaitAsync(() => SeenSeqs(paho).IsSupersetOf(expected), () =>
            {
                var missing = expected.Except(SeenSeqs(paho)).Order().ToList();
                var outbox = gateway.Services.GetRequiredService<IOutbox>();
                return $"{missing.Count} missing seqs: {string.Join(",", missing.Take(20))}… store: {outbox.GetStatistics()}; "
                    + $"forwarder: {gateway.Services.GetRequiredService<IForwarderStatus>().Status}; uplink: {gateway.Services.GetRequiredService<Gateway.Sync.Mqtt.IMqttUplink>().Status}";
            });
            Assert.Equal(expected, SeenSeqs(paho)); // nothing beyond max either
            var outbox = gateway.Services.GetRequiredService<IOutbox>();
            await WaitAsync(async () =>
            {
                await outbox.FlushAcknowledgementsAsync();
                var s = outbox.GetStatistics();
                return s.PendingReadings == 0 && s.PendingEvents == 0;
            }, () => $"store not drained: {outbox.GetStatistics()}");
            // the retained status said online (its will is offline)
            Assert.Contains(paho.Messages, m => m.Topic == $"city/{Node}/status" && Encoding.UTF8.GetString(m.Payload).Contains("\"state\":\"online\"", StringComparison.Ordinal)
                && Encoding.UTF8.GetString(m.Payload).Contains("\"version\":\"9.9.9\"", StringComparison.Ordinal));
        }
        finally
        {
            await gateway.StopAsync();
            gateway.Dispose();
        }
    }

    [Fact]
    public async Task Commands_from_mosquitto_pub_get_replies_with_their_id()
    {
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        using var paho = new PahoSubscriber(broker.Port, $"city/{Node}/cmd/+/reply");
        await paho.WaitUntilReadyAsync();
        using var dir = new TempDirectory("gw-cmd");
        using var gateway = BuildGateway(dir.File("buffer.db"), broker.Uri);
        await gateway.StartAsync();
        try
        {
            await WaitAsync(() => gateway.Services.GetRequiredService<Gateway.Sync.Mqtt.IMqttUplink>().Status.State == Gateway.Sync.Mqtt.MqttConnectionState.Connected, () => "never connected");
            var pub = ExternalTool.Require("mosquitto_pub");
            void Send(string name, string payload) =>
                Assert.Equal(0, ExternalTool.Run(pub, ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", $"city/{Node}/cmd/{name}", "-m", payload], TimeSpan.FromSeconds(10)).ExitCode);

            Send("ping", """{"id":"r-1","args":{}}""");
            Send("status", """{"id":42}""");
            Send("reboot", """{"id":"r-3"}""");
            Send("ping", "not json");
            Send("ping", """{"args":{}}""");

            await paho.WaitForMessagesAsync(m => m.Count >= 5, Patience);
            var replies = paho.Messages.Select(m => (m.Topic, Json: JsonDocument.Parse(m.Payload).RootElement)).ToList();
            var ping = replies.Single(r => r.Json.GetProperty("id").ValueKind == JsonValueKind.String && r.Json.GetProperty("id").GetString() == "r-1");
            Assert.Equal($"city/{Node}/cmd/ping/reply", ping.Topic);
            Assert.True(ping.Json.GetProperty("ok").GetBoolean());
            Assert.True(ping.Json.GetProperty("result").GetProperty("pong").GetBoolean());
            var status = replies.Single(r => r.Json.GetProperty("id").ValueKind == JsonValueKind.Number);
            Assert.Equal(42, status.Json.GetProperty("id").GetInt32());
            Assert.Equal("connected", status.Json.GetProperty("result").GetProperty("uplink").GetProperty("state").GetString());
            Assert.Equal("9.9.9", status.Json.GetProperty("result").GetProperty("version").GetString());
            var unknown = replies.Single(r => r.Json.GetProperty("id").ValueKind == JsonValueKind.String && r.Json.GetProperty("id").GetString() == "r-3");
            Assert.False(unknown.Json.GetProperty("ok").GetBoolean());
            Assert.StartsWith("unknown command 'reboot'", unknown.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
            var bad = replies.Where(r => r.Json.GetProperty("id").ValueKind == JsonValueKind.Null).ToList();
            Assert.Equal(2, bad.Count);
            Assert.All(bad, r => Assert.False(r.Json.GetProperty("ok").GetBoolean()));
            Assert.Contains(bad, r => r.Json.GetProperty("error").GetString()!.StartsWith("invalid JSON", StringComparison.Ordinal));
            Assert.Contains(bad, r => r.Json.GetProperty("error").GetString()!.Contains("needs an \"id\"", StringComparison.Ordinal));
        }
        finally
        {
            await gateway.StopAsync();
        }
    }

    private static Task WaitAsync(Func<bool> condition, Func<string> describe) => WaitAsync(() => Task.FromResult(condition()), describe);

    private static async Task WaitAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(50);
        }
    }
}
