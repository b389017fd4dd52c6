using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Simulation.Mqtt;
using Gateway.Simulation.Video;
using Gateway.Tests.Drivers;
using Gateway.Tests.Drivers.Modbus;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Acceptance;

/// <summary>
/// One virtual pole for the whole acceptance suite, every part a separate process: mosquitto, a
/// pymodbus TCP meter, a pymodbus RTU meter behind a socat pty pair, an RTSP camera (gst-rtsp-server
/// looping a clip of a person, then a cup, then an empty frame), the real <c>run</c> process with its
/// web page on a free port, and a paho subscriber on <c>city/{node}/#</c> recording everything.
/// Tests may kill and restart the gateway and the broker; each begins by waiting until it runs again.
/// </summary>
public sealed class AcceptanceFixture : IAsyncLifetime
{
    public const string Node = "pole-accept";
    public const string NodeTopic = "city/" + Node;
    public const string Secret = "acceptance-Secret-9071";
    public const string TcpMeter = "water-tcp";
    public const string RtuMeter = "gas-rtu";
    public const string Camera = "cam-1";

    /// <summary>Generous: the 2-core machine is shared, and ffmpeg probes an RTSP stream for seconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public const float TcpValue = 1234.5f;
    public const ushort RtuValue = 4321;

    private readonly List<IDisposable> _peers = [];
    private PymodbusServer? _tcpMeter;
    private GatewayProcess? _gateway;

    public TempDirectory Dir { get; } = new("gw-acceptance");

    public LoopbackMosquitto Broker { get; private set; } = null!;

    public PahoSubscriber Recorder { get; private set; } = null!;

    public RtspLoopServer Rtsp { get; private set; } = null!;

    public GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("the gateway is not running");

    public string ConfigPath => Dir.File("gateway.json");

    public int WebPort { get; } = Net.FreePort();

    public Uri WebUri => new($"https://127.0.0.1:{WebPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Every gateway output line of every process this fixture started (for failure messages).</summary>
    public string GatewayOutput => string.Join("\n--- restarted ---\n", _outputs.Select(g => g.Output));

    private readonly List<GatewayProcess> _outputs = [];

    public IReadOnlyList<PahoSubscriber.Message> Messages => Recorder.Messages;

    public async Task InitializeAsync()
    {
        ExternalTool.Require("ffmpeg");
        var tcpPort = Net.FreePort();
        _tcpMeter = await StartTcpMeterAsync(tcpPort);
        var pty = await SocatPtyPair.StartAsync(Dir);
        _peers.Add(pty);
        _peers.Add(await PymodbusServer.StartAsync("rtu", pty.A, new ModbusTables([RtuValue], [0], [false], [false]), Dir));
        var clip = Dir.File("street.mp4");
        await MakeClipAsync(clip);
        Rtsp = await RtspLoopServer.StartAsync(clip, "/north");
        Broker = MosquittoPeer.Create();
        await Broker.StartAsync();
        Recorder = new PahoSubscriber(Broker.Port, NodeTopic + "/#");
        await Recorder.WaitUntilReadyAsync();
        File.WriteAllText(ConfigPath, Configuration(tcpPort, new FileInfo(pty.B).LinkTarget!, pollMsTcp: 500));
        StartGateway();
    }

    private Task<PymodbusServer> StartTcpMeterAsync(int port)
    {
        var bits = BitConverter.SingleToUInt32Bits(TcpValue);
        return PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture),
            new ModbusTables([(ushort)(bits & 0xFFFF), (ushort)(bits >> 16)], [0], [false], [false]), Dir);
    }

    /// <summary>Ends the TCP meter's process (its port refuses connections from now on).</summary>
    public void StopTcpMeter()
    {
        _tcpMeter?.Dispose();
        _tcpMeter = null;
    }

    /// <summary>Starts the TCP meter again on the port the configuration names.</summary>
    public async Task StartTcpMeterAsync() => _tcpMeter ??= await StartTcpMeterAsync(TcpMeterPort());

    /// <summary>
    /// The clip the camera loops (18 s): darknet's photograph of a person (6 s; a gathering with
    /// alertPersons 1), scikit-image's coffee cup filling the frame (6 s: the gathering disperses, the
    /// cup is litter), then an empty grey frame (6 s: the litter is cleared).
    /// </summary>
    private static async Task MakeClipAsync(string path)
    {
        var coffee = Repo.PathOf(".cache", "photos", "coffee.png");
        Assert.True(File.Exists(coffee), $"{coffee} is missing (tools/setup.d/40-litter-photo.sh)");
        var result = await Task.Run(() => ExternalTool.Run(ExternalTool.Require("ffmpeg"),
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-loop", "1", "-t", "6", "-i", "/usr/share/darknet/data/person.jpg",
            "-loop", "1", "-t", "6", "-i", coffee,
            "-f", "lavfi", "-t", "6", "-i", "color=c=gray:s=640x480:r=5",
            "-filter_complex", "[0:v]scale=640:480,setsar=1,fps=5,format=yuv420p[a];[1:v]scale=640:480,setsar=1,fps=5,format=yuv420p[b];" +
                "[2:v]setsar=1,fps=5,format=yuv420p[c];[a][b][c]concat=n=3:v=1:a=0[v]",
            "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-g", "5", "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p", path,
        ], TimeSpan.FromSeconds(120)));
        Assert.True(result.ExitCode == 0, $"ffmpeg could not make the clip: {result.StdErr}");
    }

    private string Configuration(int tcpPort, string rtuPort, int pollMsTcp) => $$"""
        { "node": { "id": "{{Node}}", "site": "test/acceptance" },
          "storage": { "path": "data/buffer.db" },
          "mqtt": { "brokers": ["{{Broker.Uri}}"], "username": "{{Node}}", "password": "{{Secret}}", "telemetryBatchDelayMs": 200 },
          "web": { "urls": ["{{WebUri.ToString().TrimEnd('/')}}"] },
          "host": { "applyHealthSeconds": 2 },
          "health": { "intervalSeconds": 5 },
          "buses": [ { "id": "rs485-1", "port": "{{rtuPort}}", "baud": 19200, "parity": "none", "dataBits": 8, "stopBits": 1 } ],
          "devices": {{Devices(tcpPort, pollMsTcp)}},
          "models": [ { "id": "person", "manifest": "{{Repo.PathOf("models", "person", "manifest.json")}}" } ],
          "cameras": [
            { "id": "{{Camera}}", "source": "{{Rtsp.Url}}", "fps": 2, "stallSeconds": 20,
              "crowd": { "model": "person", "reportSeconds": 2,
                         "zones": [ { "name": "plaza", "polygon": [[0,0],[640,0],[640,480],[0,480]],
                                      "alertPersons": 1, "alertSeconds": 1, "clearPersons": 0, "clearSeconds": 1 } ] },
              "litter": { "model": "person", "classes": ["cup"], "minSeconds": 2, "clearSeconds": 2,
                          "zones": [ { "name": "kerb", "polygon": [[0,0],[640,0],[640,480],[0,480]] } ] } } ] }
        """;

    /// <summary>The devices array; <c>config/set</c> patches replace it whole (RFC 7396 replaces arrays).</summary>
    public static string Devices(int tcpPort, int pollMsTcp) => $$"""
        [ { "id": "{{TcpMeter}}", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{tcpPort}}", "unitId": 1, "pollMs": {{pollMsTcp}},
            "timeoutMs": 500, "retries": 0,
            "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "f32", "order": "CDAB", "unit": "m3" } ] },
          { "id": "{{RtuMeter}}", "type": "modbus", "bus": "rs485-1", "unitId": 1, "pollMs": 1000, "timeoutMs": 500, "retries": 0,
            "points": [ { "name": "level", "table": "holding", "address": 0, "type": "u16", "unit": "cm" } ] } ]
        """;

    /// <summary>The TCP meter's port, read back from the configuration file in force.</summary>
    public int TcpMeterPort()
    {
        var endpoint = (string)JsonNode.Parse(File.ReadAllText(ConfigPath))!["devices"]![0]!["endpoint"]!;
        return int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Starts <c>run</c> (again) on the same configuration and store.</summary>
    public void StartGateway()
    {
        _gateway = GatewayProcess.Start(["run", "--config", ConfigPath], Dir.Path,
            new Dictionary<string, string?> { ["GATEWAY_web__urls__0"] = WebUri.ToString().TrimEnd('/') });
        _outputs.Add(_gateway);
    }

    /// <summary>SIGKILL, as a power cut would end it: no offline status of its own, the broker sends the will.</summary>
    public async Task KillGatewayAsync()
    {
        Gateway.SendSignal(9);
        Assert.NotNull(await Gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        _gateway = null;
    }

    /// <summary>SIGTERM and a clean exit (code 0).</summary>
    public async Task StopGatewayAsync()
    {
        Gateway.SendSigterm();
        Assert.Equal(0, await Gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        _gateway = null;
    }

    /// <summary>Waits until the gateway runs and answers <c>ping</c> over the broker (restarting it if a test left it stopped).</summary>
    public async Task EnsureRunningAsync()
    {
        if (_gateway is null)
        {
            StartGateway();
        }
        if (Broker.Pid == 0)
        {
            await Broker.StartAsync();
        }
        await StartTcpMeterAsync();
        await CommandAsync("ping", "{}");
    }

    private int _requests;

    /// <summary>Sends a command with mosquitto_pub (QoS 1) and returns its reply, matched by a fresh id.</summary>
    public async Task<JsonObject> CommandAsync(string name, string args)
    {
        var id = $"acc-{Interlocked.Increment(ref _requests).ToString(CultureInfo.InvariantCulture)}";
        var request = $$"""{ "id": "{{id}}", "args": {{args}} }""";
        var topic = $"{NodeTopic}/cmd/{name}/reply";
        // A request sent while the gateway (re)connects is not queued for it (it subscribes anew): send again until answered.
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var pub = ExternalTool.Run(ExternalTool.Require("mosquitto_pub"), ["-h", "127.0.0.1", "-p", Broker.Port.ToString(CultureInfo.InvariantCulture),
                "-q", "1", "-t", $"{NodeTopic}/cmd/{name}", "-m", request], TimeSpan.FromSeconds(20));
            Assert.True(pub.ExitCode == 0, $"mosquitto_pub: {pub.StdErr}");
            try
            {
                await Recorder.WaitForMessagesAsync(m => m.Any(x => x.Topic == topic && IdOf(x) == id), TimeSpan.FromSeconds(10));
                return JsonNode.Parse(Messages.First(x => x.Topic == topic && IdOf(x) == id).Payload)!.AsObject();
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"no reply to {name} {request} within {Patience}\n{Describe()}", ex);
            }
        }
    }

    private static string? IdOf(PahoSubscriber.Message m)
    {
        try
        {
            return (string?)JsonNode.Parse(m.Payload)?["id"];
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // an id that is not a string is not one of ours
        }
    }

    /// <summary>What a failing test shows: the gateway's output and the non-telemetry messages seen.</summary>
    public string Describe() =>
        $"--- gateway output ---\n{Tail(GatewayOutput, 8000)}\n--- seen (telemetry and snapshots left out) ---\n" +
        Tail(string.Join("\n", Messages.Where(m => !m.Topic.EndsWith("/telemetry", StringComparison.Ordinal) && !m.Topic.Contains("/snapshots/", StringComparison.Ordinal))
            .Select(m => $"{m.Topic} {Encoding.UTF8.GetString(m.Payload)}")), 8000);

    private static string Tail(string text, int length) => text.Length <= length ? text : "…" + text[^length..];

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            _gateway.SendSigterm();
            await _gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        foreach (var g in _outputs)
        {
            g.Dispose();
        }
        Recorder?.Dispose();
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }
        Rtsp?.Dispose();
        StopTcpMeter();
        foreach (var peer in Enumerable.Reverse(_peers))
        {
            peer.Dispose();
        }
        Dir.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AcceptanceCollection : ICollectionFixture<AcceptanceFixture>
{
    public const string Name = "acceptance: one virtual pole";
}
