using System.Net;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Host.Security;
using Gateway.Host.Web;
using Gateway.Simulation.Modbus;
using Gateway.Simulation.Mqtt;
using Gateway.Tests.Support;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// A whole gateway as <c>run</c> composes it (GatewayHost.Build), its web page on a loopback
/// HTTPS port: uplink to a loopback mosquitto, the demo's water meter served by Gateway.Simulation's
/// Modbus server, a door contact on a simulated GPIO chip, and an audit log as the apply path writes it.
/// </summary>
public sealed class WebGatewayFixture : IAsyncLifetime
{
    public const string TechnicianPassword = "technician pass 2026";
    public const string ViewerPassword = "viewer pass 2026 ok";

    private LoopbackMosquitto? _broker;
    private SimulatedModbusServer? _meter;

    public TempDirectory Dir { get; } = new("gw-webhost");

    public IHost Host { get; private set; } = null!;

    public int Port { get; private set; }

    public Uri BaseUri => new($"https://127.0.0.1:{Port}");

    public string ConfigPath => Dir.File("gateway.json");

    /// <summary>The loopback broker the gateway publishes to (for an independent subscriber).</summary>
    public int BrokerPort => _broker!.Port;

    public async Task InitializeAsync()
    {
        _broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Directory = Dir.Path, Port = Net.FreePort(), Name = "web test broker" });
        _meter = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(TimeProvider.System) });
        Port = Net.FreePort();
        File.WriteAllText(ConfigPath, $$"""
            { "node": { "id": "web-pole-0001", "site": "test/web" },
              "storage": { "path": "{{Dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["{{_broker.Uri}}"] },
              "web": { "urls": ["https://127.0.0.1:{{Port}}"] },
              "host": { "applyHealthSeconds": 2 },
              "devices": [
                { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{_meter.Port}}", "unitId": 1, "pollMs": 1000,
                  "timeoutMs": 1000, "profile": "{{Repo.PathOf("profiles", "water-meter-generic.json")}}" },
                { "id": "door-1", "type": "gpio-input", "chip": "sim:webtest", "line": 17, "activeLow": true, "debounceMs": 10 }
              ] }
            """);
        var users = new UserStore(Dir.File("users.json"));
        users.Upsert("tech", UserRole.Technician, PasswordHasher.Hash(TechnicianPassword, 1000), DateTimeOffset.UtcNow);
        users.Upsert("view", UserRole.Viewer, PasswordHasher.Hash(ViewerPassword, 1000), DateTimeOffset.UtcNow);
        File.WriteAllLines(Dir.File(WebApi.AuditFileName),
        [
            """{"ts":"2026-11-29T08:00:00.000Z","by":"tech","via":"web","version":"aaaa1111","result":"applied","diff":{"devices[0].pollMs":[1000,2000]}}""",
            """{"ts":"2026-11-29T09:30:00.000Z","by":"platform","via":"mqtt","version":"bbbb2222","result":"rolled-back","diff":{"mqtt.password":["***","***"]}}""",
            """{"ts":"2026-11-29T09:31""", // torn by a power cut
        ]);
        var loaded = GatewayConfigLoader.LoadFile(ConfigPath, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        Host = GatewayHost.Build(loaded.Options!, ConfigPath, loaded.Warnings, loaded.Document!);
        await Host.StartAsync();
        await Net.WaitForListenerAsync(Port, TimeSpan.FromSeconds(30));
    }

    public HttpClient Client() => WebTestServer.PinnedClient(Dir.File(NodeCertificate.FileName), BaseUri, new CookieContainer());

    /// <summary>Logs <paramref name="client"/> in (its cookie container keeps the session) and answers the CSRF token.</summary>
    public static async Task<string> LoginAsync(HttpClient client, string user, string password)
    {
        using var response = await client.PostAsync("/api/login", JsonContent(new JsonObject { ["user"] = user, ["password"] = password }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["csrfToken"]!.GetValue<string>();
    }

    public static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.StopAsync();
            Host.Dispose();
        }
        if (_meter is not null)
        {
            await _meter.DisposeAsync();
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        Dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebGatewayCollection : ICollectionFixture<WebGatewayFixture>, ICollectionFixture<WebCameraGatewayFixture>, ICollectionFixture<ChromiumFixture>
{
    public const string Name = "web gateway";
}
