using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Hosting;

/// <summary>The real executable: start, log format, graceful SIGTERM, the demo.</summary>
public class GatewayProcessTests
{
    private static string WriteConfig(TempDirectory dir, double shutdownSeconds = 5)
    {
        var path = dir.File("gateway.json");
        File.WriteAllText(path, $$"""
            { "node": { "id": "proc-test" }, "storage": { "path": "data/buffer.db" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] },
              "host": { "shutdownSeconds": {{shutdownSeconds}} } }
            """);
        return path;
    }

    [Fact]
    public async Task Sigterm_stops_the_service_gracefully_within_its_deadline()
    {
        using var dir = new TempDirectory();
        using var gateway = GatewayProcess.Start(["run", "--config", WriteConfig(dir)], dir.Path);
        var starting = await gateway.WaitForLineAsync("starting: node proc-test", TimeSpan.FromSeconds(30));
        await gateway.WaitForLineAsync("Application started", TimeSpan.FromSeconds(30));

        gateway.SendSigterm();
        var code = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(5 + 2));

        Assert.True(code == 0, $"exit code {code}:\n{gateway.Output}");
        Assert.Contains(gateway.Lines, l => l.Contains("stopping: draining components (deadline 5 s)", StringComparison.Ordinal));
        Assert.Contains(gateway.Lines, l => l.Contains("stopped cleanly in", StringComparison.Ordinal));
        // Plain console: one line per message, UTC ISO-8601 timestamp first.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: ", starting);
        Assert.Contains($"store {Path.Combine(dir.Path, "data", "buffer.db")}", starting, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_systemd_each_line_carries_its_syslog_priority()
    {
        using var dir = new TempDirectory();
        using var gateway = GatewayProcess.Start(["run", "--config", WriteConfig(dir)], dir.Path, new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" });
        var starting = await gateway.WaitForLineAsync("starting: node proc-test", TimeSpan.FromSeconds(30));

        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.StartsWith("<6>", starting, StringComparison.Ordinal); // LOG_INFO, read by journald
    }

    [Fact]
    public async Task Environment_overrides_reach_the_running_service()
    {
        using var dir = new TempDirectory();
        using var gateway = GatewayProcess.Start(["run", "--config", WriteConfig(dir)], dir.Path, new Dictionary<string, string?> { ["GATEWAY_node__id"] = "from-env" });

        await gateway.WaitForLineAsync("starting: node from-env", TimeSpan.FromSeconds(30));
        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Demo_runs_a_virtual_pole_with_a_loopback_broker_and_cleans_up()
    {
        ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory();
        using var gateway = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);

        var brokerLine = await gateway.WaitForLineAsync("demo: mosquitto listening on 127.0.0.1:", TimeSpan.FromSeconds(30));
        await gateway.WaitForLineAsync("starting: node demo-pole-0001", TimeSpan.FromSeconds(30));
        var port = int.Parse(brokerLine.Split("127.0.0.1:")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        await Net.WaitForListenerAsync(port, TimeSpan.FromSeconds(5)); // the broker is really there

        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(File.Exists(Path.Combine(dir.Path, "pole", "gateway.json")));
        await Assert.ThrowsAsync<TimeoutException>(() => WaitClosedAsync(port));
    }

    /// <summary>Throws TimeoutException once the port stops accepting connections (the demo's broker is gone).</summary>
    private static async Task WaitClosedAsync(int port)
    {
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new TimeoutException("closed");
            }
            await Task.Delay(100);
        }
    }
}
