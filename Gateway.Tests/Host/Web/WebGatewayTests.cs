using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Host.Cli;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Host.Web;
using Gateway.Sync.RemoteCommands;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Host.Web;

/// <summary>The API over a whole running gateway: what the page shows comes from the gateway's own components.</summary>
[Collection(WebGatewayCollection.Name)]
public sealed class WebGatewayTests(WebGatewayFixture gateway)
{
    [Fact]
    public async Task Status_is_the_mqtt_status_reply_with_the_uplink_connected()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        JsonNode? status = null;
        await Eventually.HoldsAsync(() =>
        {
            status = JsonNode.Parse(client.GetStringAsync("/api/status").GetAwaiter().GetResult());
            return status!["uplink"]!["state"]!.GetValue<string>() == "connected";
        }, () => $"uplink never connected: {status}");
        var mqtt = gateway.Host.Services.GetServices<ICommandHandler>().Single(c => c.Name == "status");
        var reply = (JsonObject)(await mqtt.HandleAsync(null, CancellationToken.None))!;
        Assert.Equal("web-pole-0001", status!["node"]!.GetValue<string>());
        // The same composition: every member of the MQTT reply, plus the node's time zone for the page.
        Assert.Equal(reply.Select(p => p.Key).Append("timeZone").Order(), status.AsObject().Select(p => p.Key).Order());
        Assert.Contains(status["components"]!.AsArray(), c => c!["name"]!.GetValue<string>() == "web-server");
    }

    [Fact]
    public async Task Metrics_need_a_session_by_default_and_then_show_the_meter_online()
    {
        using var anonymous = gateway.Client();
        using var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            using var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
            text = await response.Content.ReadAsStringAsync();
        }
        while (!text.Contains("gateway_device_up{device=\"water-1\"} 1", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Task.Delay(250).ContinueWith(_ => true));
        Assert.Contains("gateway_device_up{device=\"water-1\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("gateway_uplink_state{state=\"connected\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_applied_from_the_web_is_published_as_config_applied_via_web_by_its_user()
    {
        using var paho = new PahoSubscriber(gateway.BrokerPort, "city/web-pole-0001/events");
        await paho.WaitUntilReadyAsync();
        using var client = gateway.Client();
        var csrf = await WebGatewayFixture.LoginAsync(client, "tech", WebGatewayFixture.TechnicianPassword);
        var version = JsonNode.Parse(await client.GetStringAsync("/api/config"))!["version"]!.GetValue<string>();

        // The door's debounce, so only the pole-sensors group restarts. A merge patch replaces arrays
        // whole: the devices go back with that one value changed.
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/config");
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!["config"]!.AsObject();
        var devices = config["devices"]!.DeepClone().AsArray();
        devices.Single(d => d!["id"]!.GetValue<string>() == "door-1")!["debounceMs"] = 20;
        request.Content = WebGatewayFixture.JsonContent(new JsonObject { ["version"] = version, ["patch"] = new JsonObject { ["devices"] = devices } });
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.True(body["applied"]!.GetValue<bool>());
        var applied = body["version"]!.GetValue<string>();

        await paho.WaitForMessagesAsync(m => m.Any(x => IsConfigApplied(x, applied)), TimeSpan.FromSeconds(30));
        var data = JsonNode.Parse(paho.Messages.First(x => IsConfigApplied(x, applied)).Payload)!["data"]!;
        Assert.Equal(("tech", "web", "applied"), (data["by"]!.GetValue<string>(), data["via"]!.GetValue<string>(), data["result"]!.GetValue<string>()));
    }

    private static bool IsConfigApplied(PahoSubscriber.Message message, string version) =>
        JsonNode.Parse(message.Payload) is { } e && e["type"]?.GetValue<string>() == "config.applied" && e["data"]?["version"]?.GetValue<string>() == version;

    [Fact]
    public async Task Devices_lists_the_configured_devices_with_health_and_latest_values()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        JsonArray devices = [];
        await Eventually.HoldsAsync(() =>
        {
            devices = JsonNode.Parse(client.GetStringAsync("/api/devices").GetAwaiter().GetResult())!["devices"]!.AsArray();
            return devices[0]!["health"]?["state"]?.GetValue<string>() == "online" && devices[0]!["latest"]!.AsArray().Count == 9
                && devices[1]!["latest"]!.AsArray().Count > 0;
        }, () => $"devices: {devices}");
        Assert.Equal(["water-1", "door-1"], devices.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Equal(["modbus", "gpio-input"], devices.Select(d => d!["type"]!.GetValue<string>()));
        var door = devices[1]!["latest"]![0]!;
        Assert.Equal("state", door["point"]!.GetValue<string>());
        Assert.Equal("good", door["quality"]!.GetValue<string>());
        Assert.Equal("online", devices[1]!["health"]!["state"]!.GetValue<string>());
        Assert.Equal("readings", devices[1]!["health"]!["from"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/config/schema")]
    [InlineData("/api/devices/fields")]
    [InlineData("/api/profiles")]
    public async Task The_device_forms_routes_need_a_session(string path)
    {
        using var anonymous = gateway.Client();
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("notLoggedIn", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task The_schema_served_is_the_shipped_one()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        using var response = await client.GetAsync("/api/config/schema");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType!.MediaType);
        var served = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Repo.PathOf("config", "gateway.schema.json"))), served), "the served schema differs from config/gateway.schema.json");
    }

    [Fact]
    public async Task Device_fields_are_each_types_keys_from_the_schema_with_their_limits()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var types = JsonNode.Parse(await client.GetStringAsync("/api/devices/fields"))!["types"]!.AsArray()
            .ToDictionary(t => t!["type"]!.GetValue<string>(), t => t!["fields"]!.AsArray().ToDictionary(f => f!["key"]!.GetValue<string>(), f => f!.AsObject()));

        // Every type the schema knows, each with every key of its definition that a form can hold (not the points array).
        var schema = JsonNode.Parse(File.ReadAllText(Repo.PathOf("config", "gateway.schema.json")))!["$defs"]!;
        var kinds = schema["deviceBase"]!["properties"]!["type"]!["enum"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        Assert.Equal(kinds.Order(), types.Keys.Order());
        var modbusKeys = schema["modbusDevice"]!["properties"]!.AsObject().Select(p => p.Key).Except(["id", "type", "points"]);
        Assert.Equal(modbusKeys.Order(), types["modbus"].Keys.Order());

        var poll = types["modbus"]["pollMs"];
        Assert.Equal(("integer", 10, 86400000, false), (poll["kind"]!.GetValue<string>(), poll["minimum"]!.GetValue<int>(), poll["maximum"]!.GetValue<int>(), poll["required"]!.GetValue<bool>()));
        Assert.Equal("Milliseconds between polls of all points; default 1000.", poll["description"]!.GetValue<string>()); // the device's own words win over the shared definition's
        Assert.Equal(1, types["modbus"]["unitId"]["default"]!.GetValue<int>());
        Assert.Equal("string", types["modbus"]["profile"]["kind"]!.GetValue<string>());
        var chip = types["gpio-input"]["chip"];
        Assert.True(chip["required"]!.GetValue<bool>());
        Assert.StartsWith("^(gpiochip", chip["pattern"]!.GetValue<string>(), StringComparison.Ordinal); // a $ref into gpioLine followed
        Assert.Equal("boolean", types["gpio-input"]["activeLow"]["kind"]!.GetValue<string>());
        Assert.Equal(["as-is", "pull-up", "pull-down", "disabled"], types["gpio-input"]["bias"]["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("enum", types["bme280"]["address"]["kind"]!.GetValue<string>());
        Assert.True(types["gpio-output"]["safeState"]["required"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Profiles_lists_the_shipped_profile_files_as_a_device_names_them()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var profiles = JsonNode.Parse(await client.GetStringAsync("/api/profiles"))!["profiles"]!.AsArray();
        var shipped = Directory.GetFiles(Repo.PathOf("profiles"), "*.json").Select(f => "profiles/" + Path.GetFileName(f));
        Assert.Equal(shipped.Order(StringComparer.Ordinal), profiles.Select(p => p!["value"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var water = profiles.Single(p => p!["value"]!.GetValue<string>() == "profiles/water-meter-generic.json")!;
        Assert.Equal(JsonNode.Parse(File.ReadAllText(Repo.PathOf("profiles", "water-meter-generic.json")))!["name"]!.GetValue<string>(), water["name"]!.GetValue<string>());
        Assert.Equal(9, water["points"]!.GetValue<int>());
        Assert.True(File.Exists(water["file"]!.GetValue<string>()));
        Assert.All(profiles, p => Assert.Null(p!["problem"]));
    }

    [Fact]
    public async Task Read_now_on_a_modbus_meter_shows_each_decoded_value_beside_its_raw_registers()
    {
        using var client = gateway.Client();
        var csrf = await WebGatewayFixture.LoginAsync(client, "tech", WebGatewayFixture.TechnicianPassword);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/devices/water-1/read") { Content = WebGatewayFixture.JsonContent(new JsonObject()) };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var read = JsonNode.Parse(body)!;
        Assert.Equal("read", read["source"]!.GetValue<string>());
        var points = read["points"]!.AsArray().ToDictionary(p => p!["point"]!.GetValue<string>());
        Assert.Equal(9, points.Count);
        Assert.All(points.Values, p => Assert.Null(p!["error"]));

        // volume_total: u32 CDAB (low word first) litres × 0.001 — the value must be what the words say.
        var volume = points["volume_total"]!;
        var words = volume["raw"]!.GetValue<string>().Split(' ').Select(w => Convert.ToUInt32(w, 16)).ToArray();
        Assert.Equal(2, words.Length);
        Assert.Equal(((words[1] << 16) | words[0]) * 0.001, volume["value"]!.GetValue<double>(), 6);
        Assert.InRange(volume["value"]!.GetValue<double>(), 1234.5, 1300);
        var temperature = points["water_temperature"]!;
        Assert.Equal((short)Convert.ToUInt16(temperature["raw"]!.GetValue<string>(), 16) * 0.01, temperature["value"]!.GetValue<double>(), 6);
        Assert.Equal(3.61, points["battery_voltage"]!["value"]!.GetValue<double>(), 6);
        Assert.Equal("0x0169", points["battery_voltage"]!["raw"]!.GetValue<string>());
        Assert.InRange(points["flow_rate"]!["value"]!.GetValue<double>(), 5.9, 18.1);
        Assert.False(points["empty_pipe"]!["value"]!.GetValue<bool>());
        Assert.Equal("m3/h", points["flow_rate"]!["unit"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_now_of_a_pole_device_gives_its_latest_values_and_an_unknown_device_is_404()
    {
        using var client = gateway.Client();
        var csrf = await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        JsonNode? read = null;
        await Eventually.HoldsAsync(() =>
        {
            read = Post(client, "/api/devices/door-1/read", csrf).GetAwaiter().GetResult().Body;
            return read!["points"]!.AsArray().Count > 0;
        }, () => $"door-1: {read}");
        Assert.Equal("latest", read!["source"]!.GetValue<string>());
        var (status, missing) = await Post(client, "/api/devices/nope/read", csrf);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("no device 'nope' in the configuration", missing!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Config_is_redacted_and_versioned_as_config_get_says()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var config = JsonNode.Parse(await client.GetStringAsync("/api/config"))!;
        var expected = gateway.Host.Services.GetRequiredService<RunningConfiguration>().Current.Version;
        Assert.Equal(expected, config["version"]!.GetValue<string>());
        var configGet = gateway.Host.Services.GetServices<ICommandHandler>().Single(c => c.Name == "config/get");
        var reply = (await configGet.HandleAsync(null, CancellationToken.None))!;
        Assert.Equal(expected, reply["version"]!.GetValue<string>());
        Assert.Equal("web-pole-0001", config["config"]!["node"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Audit_is_read_newest_first_and_a_torn_line_is_counted_not_fatal()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var audit = JsonNode.Parse(await client.GetStringAsync("/api/audit"))!;
        // The browser test may have applied a change before this runs (one fixture): the two written here come last, newest first.
        Assert.Equal(["bbbb2222", "aaaa1111"], audit["entries"]!.AsArray().Select(e => e!["version"]!.GetValue<string>()).TakeLast(2));
        Assert.Equal(1, audit["unreadableLines"]!.GetValue<int>());
    }

    [Fact]
    public async Task Logs_show_recent_lines_and_a_node_without_cameras_lists_none()
    {
        using var client = gateway.Client();
        await WebGatewayFixture.LoginAsync(client, "view", WebGatewayFixture.ViewerPassword);
        var logs = JsonNode.Parse(await client.GetStringAsync("/api/logs"))!["lines"]!.AsArray();
        Assert.Contains(logs, l => l!["message"]!.GetValue<string>().StartsWith("web: listening on https://127.0.0.1:", StringComparison.Ordinal) && l["eventId"]!.GetValue<int>() == 1601);
        Assert.Contains(logs, l => l!["message"]!.GetValue<string>().Contains("view (viewer) logged in", StringComparison.Ordinal));
        using var cameras = await client.GetAsync("/api/cameras");
        Assert.Equal(HttpStatusCode.OK, cameras.StatusCode);
        Assert.Empty(JsonNode.Parse(await cameras.Content.ReadAsStringAsync())!["cameras"]!.AsArray());
        using var snapshot = await client.GetAsync("/api/cameras/cam-1/snapshot");
        Assert.Equal(HttpStatusCode.NotFound, snapshot.StatusCode);
        Assert.Equal("unknownCamera", JsonNode.Parse(await snapshot.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Healthz_is_ok_once_the_uplink_is_connected()
    {
        using var client = gateway.Client();
        JsonNode? health = null;
        await Eventually.HoldsAsync(() =>
        {
            health = JsonNode.Parse(client.GetStringAsync("/healthz").GetAwaiter().GetResult());
            return health!["status"]!.GetValue<string>() == "ok";
        }, () => $"healthz: {health}");
        Assert.Equal("connected", health!["uplink"]!.GetValue<string>());
    }

    [Fact]
    public void With_no_web_urls_nothing_listens()
    {
        using var dir = new TempDirectory("gw-noweb");
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "no-web" }, "storage": { "path": "{{dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] }, "web": { "urls": [] } }
            """);
        var loaded = GatewayConfigLoader.LoadFile(config, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        using var host = GatewayHost.Build(loaded.Options!, config, loaded.Warnings, loaded.Document!);
        var originals = host.Services.GetKeyedServices<IHostedService>(KeyedService.AnyKey).ToList();
        Assert.NotEmpty(originals);
        Assert.DoesNotContain(originals, o => o is WebServerService);
        Assert.False(File.Exists(dir.File(NodeCertificate.FileName)));
    }

    [Fact]
    public async Task An_unreadable_configured_certificate_stops_the_start_in_one_line()
    {
        using var dir = new TempDirectory("gw-badcert");
        var config = dir.File("gateway.json");
        File.WriteAllText(dir.File("cert.pem"), "not a certificate");
        File.WriteAllText(config, $$"""
            { "node": { "id": "bad-cert" }, "storage": { "path": "{{dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] },
              "web": { "urls": ["https://127.0.0.1:{{Net.FreePort()}}"], "certFile": "{{dir.File("cert.pem")}}", "keyFile": "{{dir.File("missing-key.pem")}}" } }
            """);
        var loaded = GatewayConfigLoader.LoadFile(config, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await GatewayCli.RunHostAsync(loaded, config, new CliConsole(new StringReader(""), output, error), CancellationToken.None);

        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"edge-gateway: web.certFile: cannot use '{dir.File("cert.pem")}' with '{dir.File("missing-key.pem")}': ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> Post(HttpClient client, string path, string csrf)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = WebGatewayFixture.JsonContent(new JsonObject()) };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }
}
