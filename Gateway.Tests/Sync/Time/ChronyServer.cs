using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Time;

/// <summary>
/// chronyd as an independent NTP server on a loopback UDP port: <c>-x</c> (it never touches this
/// machine's clock), <c>local stratum 8</c> (it serves the system time without upstream servers).
/// The binary is unpacked by tools/setup.d/30-chronyd.sh; a missing one is a loud failure.
/// </summary>
public sealed class ChronyServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;

    private ChronyServer(Process process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static string Binary()
    {
        var path = Environment.GetEnvironmentVariable("GATEWAY_CACHE") is { Length: > 0 } cache
            ? Path.Combine(cache, "chrony", "usr", "sbin", "chronyd")
            : Repo.PathOf(".cache", "chrony", "usr", "sbin", "chronyd");
        return File.Exists(path) ? path : throw new InvalidOperationException($"chronyd not found at {path}: run tools/setup.sh (tools/setup.d/30-chronyd.sh)");
    }

    public static async Task<ChronyServer> StartAsync()
    {
        var binary = Binary();
        var dir = new TempDirectory("chrony");
        var port = FreeUdpPort();
        File.WriteAllText(dir.File("chrony.conf"), $"""
            port {port}
            bindaddress 127.0.0.1
            allow 127.0.0.1
            local stratum 8
            cmdport 0
            pidfile {dir.File("chronyd.pid")}
            driftfile {dir.File("drift")}
            """);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -d: foreground, log to stderr; -x: never steer the clock; -U -u <me>: no privilege drop to
        // a _chrony user that only the installed package creates.
        foreach (var a in new[] { "-d", "-x", "-U", "-u", Environment.UserName, "-f", dir.File("chrony.conf") })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ChronyServer(process, dir, port);
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>A UDP port on loopback that was free a moment ago.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task WaitUntilServingAsync()
    {
        var request = new byte[48];
        request[0] = (4 << 3) | 3;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"chronyd exited with {_process.ExitCode}");
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(IPAddress.Loopback, Port);
            try
            {
                socket.Send(request);
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                var buffer = new byte[64];
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token) >= 48)
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"chronyd does not answer on UDP {Port}");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _dir.Dispose();
    }
}
