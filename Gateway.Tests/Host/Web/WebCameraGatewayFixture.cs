using System.Net;
using Gateway.Host.Cli;
using Gateway.Host.Configuration;
using Gateway.Host.Security;
using Gateway.Host.Web;
using Gateway.Simulation.Mqtt;
using Gateway.Tests.Host.Pipeline;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// A whole gateway with cameras, run as <c>run</c> runs it (<see cref="GatewayCli.RunHostAsync"/>:
/// a configuration change to the cameras stops the host and builds a new one from the file, in this
/// process): a file camera of darknet's photograph with the real person model and crowd analysis
/// (zone <c>all</c>, reported every second), and an RTSP camera nobody serves (never a frame).
/// </summary>
public sealed class WebCameraGatewayFixture : IAsyncLifetime
{
    public const string TechnicianPassword = "camera technician 2026";
    public const string ViewerPassword = "camera viewer 2026 ok";

    private readonly CancellationTokenSource _stop = new();
    private LoopbackMosquitto? _broker;
    private Task<int>? _run;
    private readonly StringWriter _output = new();

    public TempDirectory Dir { get; } = new("gw-webcam");

    public int Port { get; private set; }

    public Uri BaseUri => new($"https://127.0.0.1:{Port}");

    public string ConfigPath => Dir.File("gateway.json");

    public async Task InitializeAsync()
    {
        _broker = await LoopbackMosquitto.StartAsync(new MosquittoOptions { Directory = Dir.Path, Port = Net.FreePort(), Name = "web camera test broker" });
        var clip = await CameraPipelineTests.PersonClipAsync(Dir.File("person.mp4"));
        Port = Net.FreePort();
        File.WriteAllText(ConfigPath, $$"""
            { "node": { "id": "cam-pole-0001", "site": "test/webcam" },
              "storage": { "path": "{{Dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["{{_broker.Uri}}"] },
              "web": { "urls": ["https://127.0.0.1:{{Port}}"] },
              "host": { "applyHealthSeconds": 2 },
              "inference": { "threads": 1 },
              "models": [ { "id": "person", "manifest": "{{Repo.PathOf("models", "person", "manifest.json")}}" } ],
              "cameras": [
                { "id": "cam-1", "source": "{{clip}}", "fps": 2, "width": 640, "height": 480, "stallSeconds": 10,
                  "crowd": { "model": "person", "reportSeconds": 1,
                             "zones": [ { "name": "all", "polygon": [[0, 0], [640, 0], [640, 480], [0, 480]], "alertPersons": 5, "clearPersons": 2 } ] } },
                { "id": "cam-dark", "source": "rtsp://127.0.0.1:{{Net.FreePort()}}/nobody", "fps": 1, "width": 320, "height": 240, "stallSeconds": 10 }
              ] }
            """);
        var users = new UserStore(Dir.File("users.json"));
        users.Upsert("tech", UserRole.Technician, PasswordHasher.Hash(TechnicianPassword, 1000), DateTimeOffset.UtcNow);
        users.Upsert("view", UserRole.Viewer, PasswordHasher.Hash(ViewerPassword, 1000), DateTimeOffset.UtcNow);
        var loaded = GatewayConfigLoader.LoadFile(ConfigPath, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var console = new CliConsole(TextReader.Null, _output, _output);
        _run = Task.Run(() => GatewayCli.RunHostAsync(loaded, ConfigPath, console, _stop.Token));
        await Net.WaitForListenerAsync(Port, TimeSpan.FromSeconds(60));
    }

    public HttpClient Client() => WebTestServer.PinnedClient(Dir.File(NodeCertificate.FileName), BaseUri, new CookieContainer());

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        _stop.Dispose();
        await _output.DisposeAsync();
        Dir.Dispose();
    }
}
