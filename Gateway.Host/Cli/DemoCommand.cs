using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Simulation.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>demo</c>: a complete virtual pole on the embedded defaults (config/demo.json), with its
/// data under one folder and a loopback mosquitto broker when one can be started. It runs the
/// same code path as <c>run</c>.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultDataDirectory = "demo-data";
    public const int WantedBrokerPort = 1883;
    public const int WantedWebPort = 8443;

    public static async Task<int> RunAsync(string dataDirectory, CliConsole console, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        await using var claim = ClaimFolder(dataDirectory);
        if (claim is null)
        {
            var holder = ReadHolder(dataDirectory) is { } pid ? $"the demo with pid {pid}" : "another demo";
            await console.Error.WriteLineAsync($"edge-gateway: the demo folder {Path.GetFullPath(dataDirectory)} is in use by {holder}; stop that one first").ConfigureAwait(false);
            return GatewayCli.Failure;
        }
        // Disposed last: the broker is ended only after the gateway has stopped and said offline through it.
        await using var broker = StartBroker(dataDirectory, note => console.Out.WriteLine($"demo: {note}"));
        await using var peers = DemoPeers.Start(note => console.Out.WriteLine($"demo: {note}"));

        var webPort = WebPort();
        var configPath = WriteDemoConfig(dataDirectory, broker?.Uri, peers, webPort);
        await DemoCamera.PrepareAsync(configPath, note => console.Out.WriteLine($"demo: {note}"), cancellationToken).ConfigureAwait(false);
        console.Out.WriteLine($"demo: configuration written to {configPath}; data in {Path.GetFullPath(dataDirectory)}; Ctrl+C stops");
        DemoLogin.Announce(configPath, console);
        return await GatewayCli.RunAsync(configPath, console, cancellationToken, demo: true).ConfigureAwait(false);
    }

    /// <summary>
    /// The demo's broker on 127.0.0.1:1883 (or a free port when that is taken), its files in the data
    /// folder; null when it cannot run, for the uplink retries until a broker is reachable.
    /// </summary>
    private static LoopbackMosquitto? StartBroker(string dataDirectory, Action<string> report)
    {
        try
        {
            var broker = LoopbackMosquitto.Start(new MosquittoOptions
            {
                Directory = dataDirectory,
                Port = WantedBrokerPort,
                Name = "demo's broker",
                Settings = ["persistence false", "log_type error", "log_type warning"],
                Report = report,
            });
            report($"mosquitto listening on 127.0.0.1:{broker.Port} (pid {broker.Pid})");
            return broker;
        }
        catch (MosquittoUnavailableException e)
        {
            report($"{e.Message}; the uplink will retry until a broker is reachable");
            return null;
        }
    }

    /// <summary>
    /// One demo per folder, claimed before anything starts: a second one would otherwise start a
    /// broker and rewrite gateway.json under the running demo before its store refused it. The lock
    /// (flock, taken by FileShare.None) goes with the process, however it ends.
    /// </summary>
    private static FileStream? ClaimFolder(string dataDirectory)
    {
        try
        {
            return new FileStream(Path.Combine(dataDirectory, "demo.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The process holding the folder's flock, from /proc/locks (the file itself cannot be read past the lock).</summary>
    private static int? ReadHolder(string dataDirectory)
    {
        var lockFile = Path.GetFullPath(Path.Combine(dataDirectory, "demo.lock"));
        try
        {
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                // "1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 4 && f[1] == "FLOCK" && int.TryParse(f[4], out var pid)
                    && Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == lockFile))
                {
                    return pid;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not visible to this user, or gone meanwhile
        }
        return null;
    }

    public static ConfigLoadResult LoadDemoConfig(string dataDirectory, string? brokerUri) =>
        GatewayConfigLoader.LoadFile(WriteDemoConfig(dataDirectory, brokerUri, peers: null, webPort: null));

    /// <summary>8443 as demo.json says, or a free port when something else holds it (another demo, another service).</summary>
    private static int WebPort()
    {
        foreach (var port in new[] { WantedWebPort, 0 })
        {
            try
            {
                var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                var bound = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                return bound;
            }
            catch (System.Net.Sockets.SocketException) when (port != 0)
            {
                // taken: a free one instead
            }
        }
        throw new InvalidOperationException("no free loopback port");
    }

    /// <summary>The embedded demo configuration, pointed at <paramref name="dataDirectory"/> and the demo broker.</summary>
    private static string WriteDemoConfig(string dataDirectory, string? brokerUri, DemoPeers? peers, int? webPort)
    {
        Directory.CreateDirectory(dataDirectory);
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("demo.json")
            ?? throw new InvalidOperationException("embedded resource demo.json is missing");
        var root = JsonNode.Parse(stream, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        root.Remove("$schema");
        root["storage"]!["path"] = Path.GetFullPath(Path.Combine(dataDirectory, "buffer.db"));
        if (brokerUri is not null)
        {
            root["mqtt"]!["brokers"] = new JsonArray(brokerUri);
        }
        peers?.Apply(root);
        if (webPort is not null)
        {
            root["web"]!["urls"] = new JsonArray($"https://127.0.0.1:{webPort}");
        }
        var path = Path.Combine(dataDirectory, "gateway.json");
        File.WriteAllText(path, root.ToJsonString(new() { WriteIndented = true }));
        return path;
    }
}
