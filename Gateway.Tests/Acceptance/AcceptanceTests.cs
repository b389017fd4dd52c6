using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Tests.Host.Web;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using SkiaSharp;
using Xunit.Abstractions;

namespace Gateway.Tests.Acceptance;

/// <summary>
/// The contract of SPEC sections 3 and 6 checked from outside the real <c>run</c> process, as the
/// city platform and a technician's laptop see it (<see cref="AcceptanceFixture"/>).
/// </summary>
[Collection(AcceptanceCollection.Name)]
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class AcceptanceTests(AcceptanceFixture pole, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = AcceptanceFixture.Patience;

    [Fact, Step(1)]
    public async Task Telemetry_from_the_TCP_and_the_RTU_meter_arrives_and_the_retained_status_is_online()
    {
        await pole.EnsureRunningAsync();
        await WaitAsync(m => Readings(m).Any(r => Is(r, AcceptanceFixture.TcpMeter)) && Readings(m).Any(r => Is(r, AcceptanceFixture.RtuMeter)), "good readings from both meters");

        var tcp = Readings(pole.Messages).First(r => Is(r, AcceptanceFixture.TcpMeter));
        Assert.Equal("flow_total", (string?)tcp["point"]);
        Assert.Equal(AcceptanceFixture.TcpValue, (double)tcp["value"]!);
        Assert.Equal("m3", (string?)tcp["unit"]);
        var rtu = Readings(pole.Messages).First(r => Is(r, AcceptanceFixture.RtuMeter));
        Assert.Equal("level", (string?)rtu["point"]);
        Assert.Equal(AcceptanceFixture.RtuValue, (int)rtu["value"]!);

        // A subscriber arriving now is handed the retained status: online.
        var retained = RetainedStatus();
        Assert.Equal("online", (string?)retained["state"]);
        Assert.Equal(AcceptanceFixture.Node, (string?)retained["node"]);
    }

    [Fact, Step(2)]
    public async Task The_camera_raises_a_gathering_and_its_dispersal_and_litter_detected_and_cleared_with_snapshots_that_decode()
    {
        await pole.EnsureRunningAsync();
        await WaitAsync(m => Events(m, "crowd.dispersed").Any() && Events(m, "litter.cleared").Any(), "crowd.dispersed and litter.cleared from the camera");

        var gatherings = Events(pole.Messages, "crowd.gathering").ToList();
        var dispersed = Events(pole.Messages, "crowd.dispersed").First();
        Assert.Contains(gatherings, g => (long)g["seq"]! == (long)dispersed["data"]!["gatheringSeq"]!);
        Assert.All(gatherings, g => Assert.Equal(AcceptanceFixture.Camera, (string?)g["data"]!["camera"]));
        var gathering = gatherings.First();
        Assert.True((int)gathering["data"]!["persons"]! >= 1);

        var detections = Events(pole.Messages, "litter.detected").ToList();
        var cleared = Events(pole.Messages, "litter.cleared").First();
        Assert.Contains(detections, d => (long)d["seq"]! == (long?)cleared["data"]!["detectedSeq"]);
        Assert.Equal("cup", (string?)detections[0]["data"]!["class"]);

        // Each litter event's evidence is one JPEG on snapshots/{its seq}, and it decodes.
        foreach (var seq in new[] { (long)detections[0]["seq"]!, (long)cleared["seq"]! })
        {
            var topic = SnapshotTopic(seq);
            await WaitAsync(m => m.Any(x => x.Topic == topic), $"the snapshot of event {seq}");
            using var image = SKBitmap.Decode(pole.Messages.First(x => x.Topic == topic).Payload);
            Assert.NotNull(image);
            Assert.Equal((640, 480), (image.Width, image.Height));
        }
        // Persons are counted as readings too: the zone's count, device = the camera.
        Assert.Contains(Readings(pole.Messages), r => (string?)r["device"] == AcceptanceFixture.Camera && (string?)r["point"] == "zone/plaza/persons");
    }

    [Fact, Step(3)]
    public async Task Ping_status_config_get_and_config_set_answer_as_the_contract_says()
    {
        await pole.EnsureRunningAsync();
        var ping = await pole.CommandAsync("ping", "{}");
        Assert.True((bool)ping["ok"]!, ping.ToJsonString());
        Assert.True((bool)ping["result"]!["pong"]!);

        var status = await pole.CommandAsync("status", "{}");
        Assert.Equal(AcceptanceFixture.Node, (string?)status["result"]!["node"]);
        Assert.True((long)status["result"]!["store"]!["lastSeq"]! >= 1);

        var get = await pole.CommandAsync("config/get", "{}");
        Assert.Equal("***", (string?)get["result"]!["config"]!["mqtt"]!["password"]);
        var v0 = (string)get["result"]!["version"]!;

        // A merge patch on the version just read: applied, the Modbus driver restarted on it.
        var port = pole.TcpMeterPort();
        var applied = await pole.CommandAsync("config/set", $$"""{ "patch": { "devices": {{AcceptanceFixture.Devices(port, 400)}} }, "baseVersion": "{{v0}}" }""");
        Assert.True((bool)applied["ok"]!, applied.ToJsonString());
        Assert.True((bool)applied["result"]!["applied"]!);
        Assert.Equal("modbus", (string?)applied["result"]!["restarted"]);
        var v1 = (string)applied["result"]!["version"]!;
        Assert.NotEqual(v0, v1);
        Assert.Equal(400, (int)JsonNode.Parse(File.ReadAllText(pole.ConfigPath))!["devices"]![0]!["pollMs"]!);
        Assert.Equal(AcceptanceFixture.Secret, (string?)JsonNode.Parse(File.ReadAllText(pole.ConfigPath))!["mqtt"]!["password"]);

        // The same base again is stale now.
        var stale = await pole.CommandAsync("config/set", $$"""{ "patch": { "node": { "site": "elsewhere" } }, "baseVersion": "{{v0}}" }""");
        Assert.False((bool)stale["ok"]!);
        Assert.Equal("version conflict", (string?)stale["error"]);
        Assert.Equal(v1, (string?)stale["version"]);

        // An invalid value: refused with its JSON path, nothing changed.
        var invalid = await pole.CommandAsync("config/set", $$"""{ "patch": { "devices": {{AcceptanceFixture.Devices(port, -5)}} } }""");
        Assert.False((bool)invalid["ok"]!);
        Assert.Contains(invalid["errors"]!.AsArray(), e => (string?)e!["path"] == "devices[0].pollMs");
        Assert.Equal(v1, (string?)(await pole.CommandAsync("config/get", "{}"))["result"]!["version"]);

        // Every reply matches its command's schema; config.applied tells the platform about each attempt.
        foreach (var (name, reply) in new[] { ("ping", ping), ("status", status), ("config/get", get), ("config/set", applied), ("config/set", stale), ("config/set", invalid) })
        {
            var errors = TopicSchemas.For(AcceptanceFixture.NodeTopic, $"{AcceptanceFixture.NodeTopic}/cmd/{name}/reply")
                .SelectMany(s => TopicSchemas.Shipped.Validate(s, reply.ToJsonString())).ToList();
            Assert.True(errors.Count == 0, $"{name} reply {reply.ToJsonString()}: {string.Join("; ", errors)}");
        }
        await WaitAsync(m => Events(m, "config.applied").Count(e => (string?)e["data"]!["result"] == "rejected") >= 2
            && Events(m, "config.applied").Any(e => (string?)e["data"]!["result"] == "applied" && (string?)e["data"]!["version"] == v1), "config.applied for each attempt");
        Assert.All(Events(pole.Messages, "config.applied"), e => Assert.Equal("mqtt", (string?)e["data"]!["via"]));
    }

    [Fact, Step(4)]
    public async Task The_web_health_check_answers_over_HTTPS_with_the_node_certificate_and_reveals_no_secret()
    {
        await pole.EnsureRunningAsync();
        var certificate = Directory.EnumerateFiles(pole.Dir.Path, Gateway.Host.Web.NodeCertificate.FileName, SearchOption.AllDirectories).FirstOrDefault();
        Assert.True(certificate is not null, "the node wrote no self-signed certificate");
        using var client = WebTestServer.PinnedClient(certificate, pole.WebUri, cookies: null);

        using var health = await client.GetAsync("/healthz");
        var body = await health.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.NotNull(JsonNode.Parse(body));
        Assert.DoesNotContain(AcceptanceFixture.Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);

        using var status = await client.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }

    [Fact, Step(5)]
    public async Task The_health_topic_comes_every_five_seconds_with_the_meters_and_the_camera()
    {
        await pole.EnsureRunningAsync();
        var before = Of(pole.Messages, "health").Count;
        await WaitAsync(m => Of(m, "health").Count >= before + 2
            && Of(m, "health")[^1] is var last && last["cameras"]![AcceptanceFixture.Camera]?["inferenceMs"] is not null
            && last["devices"]![AcceptanceFixture.TcpMeter] is not null && last["devices"]![AcceptanceFixture.RtuMeter] is not null,
            "two health messages naming both meters and the camera's inference time");
        var healths = Of(pole.Messages, "health");
        var latest = healths[^1];
        Assert.Equal("online", (string?)latest["devices"]![AcceptanceFixture.TcpMeter]!["state"]);
        Assert.Equal("online", (string?)latest["devices"]![AcceptanceFixture.RtuMeter]!["state"]);
        Assert.True((double)latest["cameras"]![AcceptanceFixture.Camera]!["fps"]! > 0);
        // Every 5 s on average between messages of one process (uptime rising; a restart starts a new run): one late
        // tick may be followed by a shorter gap, so the mean is checked, and the upper bound only rules out a stall.
        var gaps = healths.Zip(healths.Skip(1))
            .Where(p => (long)p.Second["uptimeS"]! > (long)p.First["uptimeS"]!)
            .Select(p => (DateTimeOffset.Parse((string)p.Second["ts"]!, CultureInfo.InvariantCulture) - DateTimeOffset.Parse((string)p.First["ts"]!, CultureInfo.InvariantCulture)).TotalSeconds)
            .ToList();
        Assert.NotEmpty(gaps);
        Assert.InRange(gaps.Average(), 4.5, 15);
    }

    [Fact, Step(6)]
    public async Task A_meter_that_stops_answering_is_reported_offline_with_its_cause_and_online_when_it_answers_again()
    {
        await pole.EnsureRunningAsync();
        var before = Events(pole.Messages, "device.offline").Count(e => (string?)e["source"] == AcceptanceFixture.TcpMeter);
        pole.StopTcpMeter();
        await WaitAsync(m => Events(m, "device.offline").Count(e => (string?)e["source"] == AcceptanceFixture.TcpMeter) > before, "device.offline for the stopped meter");
        var offline = Events(pole.Messages, "device.offline").Last(e => (string?)e["source"] == AcceptanceFixture.TcpMeter);
        Assert.Equal(AcceptanceFixture.TcpMeter, (string?)offline["data"]!["device"]);
        var reason = (string)offline["data"]!["reason"]!;
        // The connection's own cause (refused, closed by the device), never a bare "offline".
        Assert.True(reason.Contains("refused", StringComparison.Ordinal) || reason.Contains("closed", StringComparison.Ordinal), reason);

        await pole.StartTcpMeterAsync();
        var offlineSeq = (long)offline["seq"]!;
        await WaitAsync(m => Events(m, "device.online").Any(e => (string?)e["source"] == AcceptanceFixture.TcpMeter && (long)e["seq"]! > offlineSeq), "device.online once the meter answers again");
    }

    [Fact, Step(7)]
    public async Task After_three_kill_9_restarts_and_a_broker_restart_a_full_drain_holds_every_seq_once_with_one_content()
    {
        await pole.EnsureRunningAsync();
        for (var kill = 1; kill <= 3; kill++)
        {
            var seen = MaxSeq(pole.Messages);
            var wills = Statuses(pole.Messages, "offline");
            await pole.KillGatewayAsync();
            // The broker publishes the will: the platform hears offline although the process said nothing.
            await WaitAsync(m => Statuses(m, "offline") > wills, $"the will after kill -9 number {kill}");
            // ...and retains it: a platform subscribing now must not be told the dead node is online.
            Assert.Equal("offline", (string?)RetainedStatus()["state"]);
            pole.StartGateway();
            await WaitAsync(m => MaxSeq(m) > seen, $"new records after restart {kill}");
        }

        // The broker goes away during traffic: the gateway keeps storing, and sends it all once the broker is back.
        var beforeOutage = (long)(await pole.CommandAsync("status", "{}"))["result"]!["store"]!["lastSeq"]!;
        await pole.Broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // traffic stored while nobody can receive it (not an assertion)
        await pole.Broker.StartAsync();
        var lastSeq = (long)(await pole.CommandAsync("status", "{}"))["result"]!["store"]!["lastSeq"]!;
        Assert.True(lastSeq > beforeOutage, $"nothing was stored during the outage ({beforeOutage} → {lastSeq})");

        // Full drain: every seq up to the store's last, each with one content, gaps only where buffer.dropped says.
        await WaitAsync(m => Missing(m, lastSeq).Count == 0, $"every seq 1..{lastSeq}");
        var contents = Contents(pole.Messages);
        var reused = contents.Where(c => c.Value.Count > 1).Select(c => $"seq {c.Key}: {string.Join(" | ", c.Value)}").ToList();
        Assert.True(reused.Count == 0, "seqs published with different contents:\n" + string.Join("\n", reused.Take(5)));
        Assert.Empty(Missing(pole.Messages, lastSeq));
        output.WriteLine($"drained seq 1..{lastSeq}; {contents.Count} distinct seqs seen, {Events(pole.Messages, "buffer.dropped").Count()} buffer.dropped");
    }

    [Fact, Step(8)]
    public async Task A_graceful_stop_leaves_the_retained_status_offline()
    {
        await pole.EnsureRunningAsync();
        var offline = Statuses(pole.Messages, "offline");
        await pole.StopGatewayAsync();
        await WaitAsync(m => Statuses(m, "offline") > offline, "offline after SIGTERM");
        var retained = RetainedStatus();
        Assert.Equal("offline", (string?)retained["state"]);
        Assert.DoesNotContain(AcceptanceFixture.Secret, pole.GatewayOutput, StringComparison.Ordinal);
        await pole.EnsureRunningAsync();
        await WaitAsync(_ => (string?)RetainedStatus()["state"] == "online", "online again after the restart");
    }

    [Fact, Step(9)]
    public async Task Every_message_on_every_topic_validates_against_its_schema()
    {
        await pole.EnsureRunningAsync();
        await WaitAsync(m => m.Any(x => x.Topic.EndsWith("/health", StringComparison.Ordinal)) && m.Any(x => x.Topic.EndsWith("/events", StringComparison.Ordinal))
            && m.Any(x => x.Topic.EndsWith("/telemetry", StringComparison.Ordinal)) && m.Any(x => x.Topic.EndsWith("/status", StringComparison.Ordinal)),
            "status, telemetry, events and health");
        // Every event that says it has a snapshot gets one on snapshots/{seq}, and every snapshot belongs to such an event.
        await WaitAsync(m => SnapshotEvents(m).All(seq => m.Any(x => x.Topic == SnapshotTopic(seq))), "the snapshot of every event with \"snapshot\":true");
        var messages = pole.Messages;
        var withSnapshot = SnapshotEvents(messages);
        Assert.All(messages.Where(m => m.Topic.Contains("/snapshots/", StringComparison.Ordinal)),
            m => Assert.Contains(long.Parse(m.Topic[(m.Topic.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture), withSnapshot));
        var failures = new List<string>();
        foreach (var m in messages)
        {
            var schemas = TopicSchemas.For(AcceptanceFixture.NodeTopic, m.Topic);
            if (schemas.Count == 0)
            {
                using var image = SKBitmap.Decode(m.Payload);
                if (image is null)
                {
                    failures.Add($"{m.Topic}: not a JPEG that decodes ({m.Payload.Length} bytes)");
                }
                continue;
            }
            var errors = schemas.SelectMany(s => TopicSchemas.Shipped.Validate(s, m.Payload)).ToList();
            if (errors.Count > 0)
            {
                failures.Add($"{m.Topic}: {string.Join("; ", errors)}\n  payload: {Encoding.UTF8.GetString(m.Payload)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {messages.Count} messages break their schema:\n{string.Join("\n", failures.Take(20))}");
        Assert.DoesNotContain(messages, m => Encoding.UTF8.GetString(m.Payload).Contains(AcceptanceFixture.Secret, StringComparison.Ordinal));

        // What was checked: every kind of topic, and the event types this pole can raise.
        var kinds = messages.GroupBy(m => Kind(m.Topic)).ToDictionary(g => g.Key, g => g.Count());
        var types = Of(messages, "events").GroupBy(e => (string)e["type"]!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"validated {messages.Count} messages: {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}");
        output.WriteLine($"events: {string.Join(", ", types.Select(t => $"{t.Key} {t.Value}"))}");
        foreach (var e in Of(messages, "events").Where(e => ((string)e["type"]!).StartsWith("device.", StringComparison.Ordinal)))
        {
            output.WriteLine($"{e["ts"]} {e["type"]} {e["data"]!.ToJsonString()}");
        }
        Assert.All(new[] { "status", "telemetry", "events", "health", "snapshots", "cmd", "cmd reply" }, k => Assert.Contains(k, kinds.Keys));
        Assert.All(new[] { "crowd.gathering", "crowd.dispersed", "litter.detected", "litter.cleared", "config.applied", "device.offline", "device.online" }, t => Assert.Contains(t, types.Keys));
    }

    private static string Kind(string topic)
    {
        var rest = topic[(AcceptanceFixture.NodeTopic.Length + 1)..];
        return rest.StartsWith("cmd/", StringComparison.Ordinal) ? (rest.EndsWith("/reply", StringComparison.Ordinal) ? "cmd reply" : "cmd") : rest.Split('/')[0];
    }

    private static string SnapshotTopic(long seq) => $"{AcceptanceFixture.NodeTopic}/snapshots/{seq.ToString(CultureInfo.InvariantCulture)}";

    private static HashSet<long> SnapshotEvents(IEnumerable<PahoSubscriber.Message> messages) =>
        [.. Of(messages, "events").Where(e => e["snapshot"] is not null).Select(e => (long)e["seq"]!)];

    private async Task WaitAsync(Func<IReadOnlyList<PahoSubscriber.Message>, bool> done, string what)
    {
        try
        {
            await pole.Recorder.WaitForMessagesAsync(done, Patience);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"waiting for {what}: {ex.Message}\n{pole.Describe()}", ex);
        }
    }

    private JsonObject RetainedStatus()
    {
        var sub = ExternalTool.Run(ExternalTool.Require("mosquitto_sub"), ["-h", "127.0.0.1", "-p", pole.Broker.Port.ToString(CultureInfo.InvariantCulture),
            "-t", $"{AcceptanceFixture.NodeTopic}/status", "-C", "1", "-W", "20", "-F", "%r %p"], TimeSpan.FromSeconds(30));
        Assert.True(sub.ExitCode == 0, $"no retained status: {sub.StdErr}");
        var line = sub.StdOut.Trim();
        Assert.StartsWith("1 ", line, StringComparison.Ordinal); // the retain flag
        return JsonNode.Parse(line[2..])!.AsObject();
    }

    private static bool Is(JsonNode reading, string device) => (string?)reading["device"] == device && (string?)reading["quality"] == "good";

    private static List<JsonObject> Of(IEnumerable<PahoSubscriber.Message> messages, string topic) =>
        [.. messages.Where(m => m.Topic == $"{AcceptanceFixture.NodeTopic}/{topic}").Select(m => JsonNode.Parse(m.Payload)!.AsObject())];

    private static IEnumerable<JsonNode> Readings(IEnumerable<PahoSubscriber.Message> messages) =>
        Of(messages, "telemetry").SelectMany(t => t["readings"]!.AsArray()).Select(r => r!);

    private static IEnumerable<JsonObject> Events(IEnumerable<PahoSubscriber.Message> messages, string type) =>
        Of(messages, "events").Where(e => (string?)e["type"] == type);

    private static int Statuses(IEnumerable<PahoSubscriber.Message> messages, string state) =>
        Of(messages, "status").Count(s => (string?)s["state"] == state);

    /// <summary>Seq → the distinct JSON texts published under it (a reading's object or a whole event).</summary>
    private static Dictionary<long, HashSet<string>> Contents(IEnumerable<PahoSubscriber.Message> messages)
    {
        var contents = new Dictionary<long, HashSet<string>>();
        void Add(JsonElement record)
        {
            var seq = record.GetProperty("seq").GetInt64();
            if (!contents.TryGetValue(seq, out var texts))
            {
                contents[seq] = texts = new HashSet<string>(StringComparer.Ordinal);
            }
            texts.Add(record.GetRawText());
        }
        foreach (var m in messages.Where(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal)))
        {
            using var document = JsonDocument.Parse(m.Payload);
            if (document.RootElement.TryGetProperty("readings", out var readings))
            {
                foreach (var r in readings.EnumerateArray())
                {
                    Add(r);
                }
            }
            else
            {
                Add(document.RootElement);
            }
        }
        return contents;
    }

    private static long MaxSeq(IEnumerable<PahoSubscriber.Message> messages) => Contents(messages).Keys.DefaultIfEmpty(0).Max();

    /// <summary>The seqs of 1..<paramref name="last"/> never seen and not inside a range a buffer.dropped event names.</summary>
    private static List<long> Missing(IEnumerable<PahoSubscriber.Message> messages, long last)
    {
        var list = messages.ToList();
        var seen = Contents(list).Keys.ToHashSet();
        var dropped = Events(list, "buffer.dropped").Select(e => e["data"]!)
            .Where(d => d["fromSeq"] is not null && d["toSeq"] is not null)
            .Select(d => ((long)d["fromSeq"]!, (long)d["toSeq"]!)).ToList();
        var missing = new List<long>();
        for (var s = 1L; s <= last; s++)
        {
            if (!seen.Contains(s) && !dropped.Any(r => s >= r.Item1 && s <= r.Item2))
            {
                missing.Add(s);
            }
        }
        return missing;
    }
}
