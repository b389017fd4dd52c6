using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Host.Demo;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>demo</c>: a complete virtual pole on the embedded defaults (config/demo.json), with its
/// data under one folder and a loopback mosquitto broker when one can be started. It runs the
/// same code path as <c>run</c>.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultDataDirectory = "demo-data";

    public static async Task<int> RunAsync(string dataDirectory, CliConsole console, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        await using var broker = DemoBroker.TryStart(dataDirectory, out var brokerNote);
        console.Out.WriteLine($"demo: {brokerNote}");
        await using var meter = new SimulatedWaterMeter(TimeProvider.System);
        console.Out.WriteLine($"demo: simulated water meter (Modbus TCP) on 127.0.0.1:{meter.Port}");

        var configPath = WriteDemoConfig(dataDirectory, broker?.Uri, meter.Port);
        console.Out.WriteLine($"demo: configuration written to {configPath}; data in {Path.GetFullPath(dataDirectory)}; Ctrl+C stops");
        return await GatewayCli.RunAsync(configPath, console, cancellationToken, demo: true).ConfigureAwait(false);
    }

    public static ConfigLoadResult LoadDemoConfig(string dataDirectory, string? brokerUri) =>
        GatewayConfigLoader.LoadFile(WriteDemoConfig(dataDirectory, brokerUri, meterPort: null));

    /// <summary>The embedded demo configuration, pointed at <paramref name="dataDirectory"/> and the demo broker.</summary>
    private static string WriteDemoConfig(string dataDirectory, string? brokerUri, int? meterPort)
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
        if (meterPort is not null)
        {
            root["devices"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == "water-1")!["endpoint"] = $"tcp://127.0.0.1:{meterPort}";
        }
        var path = Path.Combine(dataDirectory, "gateway.json");
        File.WriteAllText(path, root.ToJsonString(new() { WriteIndented = true }));
        return path;
    }
}

/// <summary>A mosquitto broker on 127.0.0.1 for the demo, stopped with the demo.</summary>
internal sealed class DemoBroker : IAsyncDisposable
{
    private readonly Process _process;

    private DemoBroker(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public static DemoBroker? TryStart(string dataDirectory, out string note)
    {
        var executable = FindMosquitto();
        if (executable is null)
        {
            note = "mosquitto is not installed (tools/setup.sh installs it); the uplink will retry until a broker is reachable";
            return null;
        }
        var port = IsFree(1883) ? 1883 : FreePort();
        var conf = Path.GetFullPath(Path.Combine(dataDirectory, "mosquitto.conf"));
        // Loopback only: anonymous access is acceptable for a demo broker nobody else can reach.
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n");
        var start = new ProcessStartInfo(executable, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            note = $"mosquitto could not be started ({ex.Message})";
            return null;
        }
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5) && !process.HasExited)
        {
            if (!IsFree(port))
            {
                note = $"mosquitto listening on 127.0.0.1:{port} (pid {process.Id}); watch it with: mosquitto_sub -h 127.0.0.1 -p {port} -t 'city/#' -v";
                return new DemoBroker(process, port);
            }
            process.WaitForExit(50);
        }
        note = $"mosquitto did not start listening on 127.0.0.1:{port}";
        Kill(process);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string? FindMosquitto()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/usr/local/sbin")
            .Select(dir => Path.Combine(dir, "mosquitto")).FirstOrDefault(File.Exists);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
