using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Mqtt.Peers;

namespace Gateway.Tests.Host.Hosting;

/// <summary>
/// Issue 14: the real `run` process as systemd runs a Type=notify service, on the wire. The .NET
/// systemd integration only speaks when its parent is systemd or it is PID 1, so the gateway is
/// PID 1 of a new PID namespace (`unshare --pid --fork`); NOTIFY_SOCKET names a datagram socket
/// this test listens on, as systemd's is. The decisions themselves: <see cref="SystemdWatchdogTests"/>.
/// </summary>
public sealed class SystemdNotifyProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task READY_after_the_store_opened_WATCHDOG_while_running_STATUS_with_the_uplink_and_STOPPING_on_SIGTERM()
    {
        using var dir = new TempDirectory("gw-sdnotify");
        await using var broker = MosquittoPeer.Create();
        await broker.StartAsync();
        var socketPath = dir.File("notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var received = new List<(long At, string Message)>();
        var listening = Task.Run(() =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                lock (received)
                {
                    received.Add((Stopwatch.GetTimestamp(), Encoding.UTF8.GetString(buffer, 0, n)));
                }
            }
        });
        IReadOnlyList<string> Messages()
        {
            lock (received)
            {
                return [.. received.Select(r => r.Message)];
            }
        }

        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "sd-notify" }, "storage": { "path": "data/buffer.db" }, "mqtt": { "brokers": ["{{broker.Uri}}"] } }
            """);
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "1000000", ["WATCHDOG_PID"] = null };
        using var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path, environment,
            launcher: [ExternalTool.Require("unshare"), "--pid", "--fork", "--kill-child"]);

        await Eventually.HoldsAsync(() => Messages().Contains("READY=1"), () => "READY=1; received: " + string.Join(" | ", Messages()) + "\n" + gateway.Output);
        // the store opened in this run (READY comes after every component's start; the console logs asynchronously)
        await gateway.WaitForLineAsync(" open: last seq", Patience);
        await Eventually.HoldsAsync(() => Messages().Contains("STATUS=uplink connected, backlog 0"), () => "STATUS with the uplink connected: " + string.Join(" | ", Messages()));
        var ready = Messages().ToList().IndexOf("READY=1");
        await Eventually.HoldsAsync(() => Messages().Skip(ready).Count(m => m == "WATCHDOG=1") >= 3, () => "three pings after READY: " + string.Join(" | ", Messages()));
        await gateway.WaitForLineAsync("systemd watchdog: WatchdogSec 1 s, pinging every 0.5 s while the node is healthy", Patience);

        // the gateway is the launcher's only child; as PID 1 of its namespace it has a SIGTERM handler, so the signal is delivered
        var pid = int.Parse(File.ReadAllText($"/proc/{gateway.Pid}/task/{gateway.Pid}/children").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Kill(pid, 15));
        Assert.Equal(0, await gateway.WaitForExitAsync(Patience));
        var messages = Messages();
        var stopping = messages.ToList().IndexOf("STOPPING=1");
        Assert.True(stopping > ready, "STOPPING=1 after READY=1: " + string.Join(" | ", messages));
        Assert.Equal(1, messages.Count(m => m == "READY=1"));
        socket.Dispose();
        await listening;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
