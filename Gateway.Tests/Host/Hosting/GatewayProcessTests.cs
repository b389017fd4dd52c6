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

    private static string WriteConfigWithStore(TempDirectory dir, string storePath)
    {
        var path = dir.File("gateway.json");
        File.WriteAllText(path, $$"""
            { "node": { "id": "proc-test" }, "storage": { "path": "{{storePath}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] } }
            """);
        return path;
    }

    /// <summary>Exit code 1 and one line naming the path and the OS reason: no stack trace, nothing created.</summary>
    private static void AssertOneLineStoreFailure(int? code, IReadOnlyCollection<string> lines, string storePath, string reason)
    {
        Assert.Equal(1, code);
        var line = Assert.Single(lines, l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal($"edge-gateway: cannot open the store at {storePath}: {reason}", line);
    }

    [Fact]
    public async Task A_store_path_that_cannot_be_created_is_one_line_and_exit_1_and_check_config_warns()
    {
        using var dir = new TempDirectory();
        var config = WriteConfigWithStore(dir, "/proc/gateway/buffer.db");
        using var gateway = GatewayProcess.Start(["run", "--config", config], dir.Path);
        var code = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        AssertOneLineStoreFailure(code, gateway.Lines, "/proc/gateway/buffer.db", "cannot write in /proc/gateway: no such file or directory (ENOENT)");

        var check = ExternalTool.Run("dotnet", [Repo.GatewayDll, "check-config", "--config", config], TimeSpan.FromSeconds(30), workingDirectory: dir.Path);
        Assert.Equal(0, check.ExitCode); // a warning: the file itself is valid, the machine may differ
        Assert.Contains("warning: storage.path: the store's directory /proc/gateway cannot be created in /proc:", check.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_on_a_read_only_file_system_is_one_line_and_exit_1()
    {
        using var dir = new TempDirectory();
        var readOnly = dir.File("ro");
        Directory.CreateDirectory(readOnly);
        var storePath = Path.Combine(readOnly, "buffer.db");
        var config = WriteConfigWithStore(dir, storePath);
        // A read-only bind mount of the store's directory, in a private mount namespace of the gateway's own.
        var result = await Task.Run(() => ExternalTool.Run(ExternalTool.Require("unshare"), ["-m", "--propagation", "private", "sh", "-c",
            $"mount -o bind,ro '{readOnly}' '{readOnly}' && exec dotnet '{Repo.GatewayDll}' run --config '{config}'"], TimeSpan.FromSeconds(60), workingDirectory: dir.Path));
        AssertOneLineStoreFailure(result.ExitCode, (result.StdOut + result.StdErr).Split('\n'), storePath, $"cannot write in {readOnly}: Read-only file system (errno 30)");
        Assert.Empty(Directory.GetFileSystemEntries(readOnly));
    }

    [Fact]
    public async Task A_second_gateway_on_the_same_store_is_one_line_and_exit_1()
    {
        using var dir = new TempDirectory();
        using var first = GatewayProcess.Start(["run", "--config", WriteConfig(dir)], dir.Path);
        await first.WaitForLineAsync(" open: last seq", TimeSpan.FromSeconds(30));
        using var second = GatewayProcess.Start(["run", "--config", WriteConfig(dir)], dir.Path);
        var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        AssertOneLineStoreFailure(code, second.Lines, dir.File("data/buffer.db"), "it is in use by another gateway process (its .seq file is locked); stop that one first");
        first.SendSigterm();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
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

        var (port, _) = ParseBrokerLine(await gateway.WaitForLineAsync("demo: mosquitto listening on 127.0.0.1:", TimeSpan.FromSeconds(30)));
        await gateway.WaitForLineAsync("starting: node demo-pole-0001", TimeSpan.FromSeconds(30));
        await Net.WaitForListenerAsync(port, TimeSpan.FromSeconds(5)); // the broker is really there

        gateway.SendSigterm();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(File.Exists(Path.Combine(dir.Path, "pole", "gateway.json")));
        await Assert.ThrowsAsync<TimeoutException>(() => WaitClosedAsync(port));
    }

    [Fact]
    public async Task A_killed_demo_takes_its_broker_with_it_and_a_taken_1883_is_named()
    {
        ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory();
        // Hold 1883 if nobody does, so the demo must say who has it; if somebody does, it must name them.
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 1883);
        var holding = TryStart(holder);
        using var gateway = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);

        var taken = await gateway.WaitForLineAsync("demo: 127.0.0.1:1883 is taken by ", TimeSpan.FromSeconds(30));
        if (holding)
        {
            Assert.Contains($"is taken by pid {Environment.ProcessId} (", taken, StringComparison.Ordinal);
        }
        var (port, brokerPid) = ParseBrokerLine(await gateway.WaitForLineAsync("demo: mosquitto listening on 127.0.0.1:", TimeSpan.FromSeconds(30)));
        Assert.NotEqual(1883, port);
        Assert.Contains($"this demo's broker uses 127.0.0.1:{port} instead", taken, StringComparison.Ordinal);
        Assert.True(ProcFs.IsRunning(brokerPid));

        gateway.SendSignal(9);
        Assert.Equal(137, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await ProcFs.WaitGoneAsync(brokerPid, TimeSpan.FromSeconds(5)), $"broker pid {brokerPid} outlived the killed demo");
    }

    [Fact]
    public async Task Ctrl_C_stops_the_gateway_first_so_the_broker_carries_its_offline_status_then_ends()
    {
        var sub = ExternalTool.Require("mosquitto_sub");
        using var dir = new TempDirectory();
        using var gateway = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path, ownSession: true);
        var (port, brokerPid) = ParseBrokerLine(await gateway.WaitForLineAsync("demo: mosquitto listening on 127.0.0.1:", TimeSpan.FromSeconds(30)));
        await gateway.WaitForLineAsync("mqtt: connected to", TimeSpan.FromSeconds(30));
        // Outside the demo's group: a terminal's Ctrl+C must not reach it.
        Assert.Equal(brokerPid, ProcFs.SessionId(brokerPid));

        var start = new System.Diagnostics.ProcessStartInfo(sub) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", $"{port}", "-t", "city/+/status", "-v" })
        {
            start.ArgumentList.Add(a);
        }
        using var subscriber = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.Contains("\"state\":\"online\"", await subscriber.StandardOutput.ReadLineAsync(timeout.Token), StringComparison.Ordinal);

            var interrupted = DateTimeOffset.UtcNow;
            gateway.SendToGroup(2);
            var offline = await subscriber.StandardOutput.ReadLineAsync(timeout.Token) ?? "(the subscriber's output ended)";
            Assert.StartsWith("city/demo-pole-0001/status {", offline, StringComparison.Ordinal);
            var status = System.Text.Json.JsonDocument.Parse(offline[offline.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
            Assert.Equal("offline", status.GetProperty("state").GetString());
            // Said at shutdown, not the will (composed when the gateway connected, before the signal).
            Assert.True(status.GetProperty("ts").GetDateTimeOffset() >= interrupted.AddMilliseconds(-5), offline);

            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains(gateway.Lines, l => l.Contains("stopped cleanly", StringComparison.Ordinal));
            Assert.True(await ProcFs.WaitGoneAsync(brokerPid, TimeSpan.FromSeconds(1)), $"broker pid {brokerPid} still running after the demo ended");
        }
        finally
        {
            subscriber.Kill();
        }
    }

    [Fact]
    public async Task A_second_demo_on_the_same_folder_is_one_line_naming_the_first_and_starts_nothing()
    {
        ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory();
        using var first = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);
        await first.WaitForLineAsync("starting: node demo-pole-0001", TimeSpan.FromSeconds(30));
        var config = File.ReadAllText(Path.Combine(dir.Path, "pole", "gateway.json"));

        using var second = GatewayProcess.Start(["demo", "--data", "pole"], dir.Path);
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(second.Lines, l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal($"edge-gateway: the demo folder {Path.Combine(dir.Path, "pole")} is in use by the demo with pid {first.Pid}; stop that one first", line);
        Assert.Equal(config, File.ReadAllText(Path.Combine(dir.Path, "pole", "gateway.json")));

        first.SendSigterm();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    private static bool TryStart(System.Net.Sockets.TcpListener listener)
    {
        try
        {
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Port and pid from "demo: mosquitto listening on 127.0.0.1:PORT (pid PID); ...".</summary>
    private static (int Port, int Pid) ParseBrokerLine(string line)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return (int.Parse(line.Split("127.0.0.1:")[1].Split(' ')[0], inv), int.Parse(line.Split("(pid ")[1].Split(')')[0], inv));
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
