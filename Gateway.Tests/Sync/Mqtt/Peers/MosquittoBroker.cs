using System.Diagnostics;
using System.Text;
using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// A real mosquitto on free loopback ports with a generated configuration: a plain listener (for
/// the paho subscriber and plain-TCP tests) and optionally a TLS listener. It can be stopped and
/// started again on the same ports; persistence keeps the subscriber's session across restarts.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _binary = ExternalTool.Require("mosquitto");
    private readonly TempDirectory _directory = new("gw-mosquitto");
    private readonly string _configFile;
    private Process? _process;

    /// <param name="logPackets">log_type all: mosquitto's log then names every packet it receives, with its flags and id.</param>
    public MosquittoBroker(TestCertificates? tls = null, bool requireClientCertificate = false, bool logPackets = false)
    {
        PlainPort = Net.FreePort();
        TlsPort = tls is null ? 0 : Net.FreePort();
        var config = new StringBuilder()
            .AppendLine("user root")
            .AppendLine("per_listener_settings false")
            .AppendLine("allow_anonymous true")
            .AppendLine("persistence true")
            .AppendLine($"persistence_location {_directory.Path}/")
            .AppendLine("max_queued_messages 0")
            .AppendLine($"log_dest file {_directory.File("mosquitto.log")}")
            .AppendLine($"listener {PlainPort} 127.0.0.1");
        if (logPackets)
        {
            config.AppendLine("log_type all");
        }
        if (tls is not null)
        {
            config.AppendLine($"listener {TlsPort} 127.0.0.1")
                .AppendLine($"cafile {tls.CaFile}")
                .AppendLine($"certfile {tls.ServerCertFile}")
                .AppendLine($"keyfile {tls.ServerKeyFile}")
                .AppendLine($"require_certificate {(requireClientCertificate ? "true" : "false")}");
        }
        _configFile = _directory.File("mosquitto.conf");
        File.WriteAllText(_configFile, config.ToString());
    }

    public int PlainPort { get; }

    public int TlsPort { get; }

    public string PlainUri => $"mqtt://127.0.0.1:{PlainPort}";

    public string Log => File.Exists(_directory.File("mosquitto.log")) ? File.ReadAllText(_directory.File("mosquitto.log")) : "";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(_binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_configFile);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            await Net.WaitForListenerAsync(PlainPort, TimeSpan.FromSeconds(10));
            if (TlsPort != 0)
            {
                await Net.WaitForListenerAsync(TlsPort, TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"mosquitto did not start (exited: {_process.HasExited}): {Log}", ex);
        }
    }

    /// <summary>SIGTERM: mosquitto drops every connection and saves its persistent sessions.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        ExternalTool.Run("/bin/kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _directory.Dispose();
    }
}
