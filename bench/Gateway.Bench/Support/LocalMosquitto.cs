using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench.Support;

/// <summary>
/// A mosquitto broker on a free loopback port for bench commands, with its configuration in a
/// folder of its own; killed and cleaned up on dispose.
/// </summary>
public sealed class LocalMosquitto : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private LocalMosquitto(Process process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    /// <summary>Starts the broker with <paramref name="settings"/> (extra mosquitto.conf lines) and waits until it listens.</summary>
    public static async Task<LocalMosquitto> StartAsync(params string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("gw-bench-mosquitto-");
        var port = FreePort();
        var config = Path.Combine(directory.FullName, "mosquitto.conf");
        await File.WriteAllLinesAsync(config, [$"listener {port} 127.0.0.1", "allow_anonymous true", "log_dest none", .. settings]).ConfigureAwait(false);
        var process = Process.Start(new ProcessStartInfo(Find("mosquitto"), ["-c", config]) { UseShellExecute = false })!;
        var broker = new LocalMosquitto(process, directory, port);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return broker;
            }
            catch (SocketException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        await broker.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{port}");
    }

    /// <summary>A Debian tool the benches drive (mosquitto, mosquitto_pub, mosquitto_sub, socat); tools/setup.sh installs them.</summary>
    public static string Find(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed; run tools/setup.sh");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>
    /// The broker's own count of PUBLISH packets received so far (<c>$SYS/broker/publish/messages/received</c>,
    /// read with mosquitto_sub), once it has settled: the broker must have been started with
    /// <c>sys_interval 1</c>. Lets a bench check that a client really delivered what it claims.
    /// </summary>
    public async Task<long> ReadPublishReceivedAsync(CancellationToken cancellationToken)
    {
        long? previous = null;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.1), cancellationToken).ConfigureAwait(false);
            var start = new ProcessStartInfo(Find("mosquitto_sub"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", "$SYS/broker/publish/messages/received", "-C", "1", "-W", "5"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var text = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var value = long.Parse(text.Trim(), CultureInfo.InvariantCulture);
            if (value == previous)
            {
                return value;
            }
            previous = value;
        }
        throw new InvalidOperationException("the broker's received-message count did not settle");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
