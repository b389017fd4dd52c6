using System.Net;
using System.Net.Sockets;
using Gateway.Simulation.Mqtt;
using Gateway.Tests.Support;

namespace Gateway.Tests.Simulation.Mqtt;

/// <summary>The shared broker in-process: its lifetime against the thread that started it, its own session, and naming who holds a port.</summary>
public class LoopbackMosquittoTests
{
    [Fact]
    public async Task The_broker_outlives_the_thread_that_started_it_and_ends_when_disposed()
    {
        ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory();
        var lines = new List<string>();
        LoopbackMosquitto? broker = null;
        // PR_SET_PDEATHSIG follows the forking thread: a broker forked from this short-lived thread
        // would be killed as soon as it ends.
        var starter = new Thread(() => broker = LoopbackMosquitto.Start(new MosquittoOptions { Directory = dir.Path, Report = lines.Add }));
        starter.Start();
        starter.Join();
        Assert.True(broker is not null, string.Join('\n', lines));
        await Task.Delay(500); // the death signal would have been sent while the thread exited

        var pid = broker.Pid;
        Assert.True(ProcFs.IsRunning(pid), string.Join('\n', lines));
        Assert.Equal(pid, LoopbackMosquitto.ListenerPid(broker.Port));
        Assert.Equal(pid, ProcFs.SessionId(pid));
        await broker.DisposeAsync();
        Assert.False(ProcFs.IsRunning(pid));
    }

    [Fact]
    public void A_listener_is_traced_to_its_process()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Equal(Environment.ProcessId, LoopbackMosquitto.ListenerPid(port));
        Assert.StartsWith($"pid {Environment.ProcessId} (", LoopbackMosquitto.DescribeListener(port), StringComparison.Ordinal);
        Assert.DoesNotContain("orphaned", LoopbackMosquitto.DescribeListener(port), StringComparison.Ordinal);
        listener.Stop();
        Assert.Null(LoopbackMosquitto.ListenerPid(port));
    }

    [Fact]
    public async Task An_orphaned_mosquitto_on_the_port_is_named_with_the_command_that_frees_it()
    {
        var mosquitto = ExternalTool.Require("mosquitto");
        using var dir = new TempDirectory();
        var port = Net.FreePort();
        var pidFile = dir.File("orphan.pid");
        var conf = dir.File("mosquitto.conf");
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npid_file {pidFile}\n{(Environment.UserName == "root" ? "user root\n" : "")}");
        // -d: mosquitto forks and its parent exits, leaving it to PID 1 like a broker whose demo was killed.
        var started = ExternalTool.Run(mosquitto, ["-d", "-c", conf], TimeSpan.FromSeconds(10));
        Assert.Equal(0, started.ExitCode);
        var pid = 0;
        try
        {
            await Net.WaitForListenerAsync(port, TimeSpan.FromSeconds(5));
            pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);

            var text = LoopbackMosquitto.DescribeListener(port);
            Assert.StartsWith($"pid {pid} ({mosquitto} -d -c {conf}; parent pid 1)", text, StringComparison.Ordinal);
            Assert.EndsWith($"an orphaned broker, perhaps left over from an earlier demo: `kill {pid}` frees the port", text, StringComparison.Ordinal);
        }
        finally
        {
            if ((pid > 0 ? pid : LoopbackMosquitto.ListenerPid(port)) is { } orphan)
            {
                System.Diagnostics.Process.GetProcessById(orphan).Kill();
            }
        }
    }
}
