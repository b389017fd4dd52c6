using System.Net.Sockets;
using Gateway.Host.Hosting;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Tests.Host.Hosting;

/// <summary>
/// Issue 14: the watchdog's decisions on fake time — WATCHDOG=1 every half WATCHDOG_USEC while the
/// node is healthy, none while it is not, STATUS= when the line changes. The wire format against a
/// real socket under a real PID 1: <see cref="SystemdNotifyProcessTests"/>.
/// </summary>
public sealed class SystemdWatchdogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ping = TimeSpan.FromSeconds(5); // WATCHDOG_USEC=10000000

    /// <summary>The node's state per health check (1 = the check at start), and what was sent at which check.</summary>
    private sealed class Scenario
    {
        private readonly Lock _gate = new();
        private readonly List<(int Check, DateTimeOffset At, string State)> _sent = [];
        private int _checks;

        public Scenario(WatchedFakeTime time)
        {
            Time = time;
            Supervision = new ComponentSupervision(time);
            Forwarder = Supervision.Add("uplink-forwarder", critical: true);
            Supervision.Add("modbus-driver", critical: false);
            Health = new NodeHealth(Supervision, Statistics, () => new MqttUplinkStatus(Uplink, "mqtt://127.0.0.1:1883", Start, 0, null, 1));
        }

        public WatchedFakeTime Time { get; }

        public ComponentSupervision Supervision { get; }

        public ComponentState Forwarder { get; }

        public NodeHealth Health { get; }

        public StoreWriteStatus Writes { get; set; } = new(StoreWriteState.Ok, Start, 0, null);

        public MqttConnectionState Uplink { get; set; } = MqttConnectionState.Connected;

        public long Pending { get; set; } = 5;

        /// <summary>Runs before each check: what the node looks like at check <c>n</c>.</summary>
        public Action<int> Before { get; set; } = _ => { };

        public Func<string, Exception?> Fault { get; set; } = _ => null;

        public int Checks => Volatile.Read(ref _checks);

        public IReadOnlyList<(int Check, DateTimeOffset At, string State)> Sent
        {
            get
            {
                lock (_gate)
                {
                    return [.. _sent];
                }
            }
        }

        public ISystemdNotifier Notifier => new RecordingNotifier(this);

        private StoreStatistics Statistics()
        {
            Before(Checks + 1);
            Interlocked.Increment(ref _checks);
            return new StoreStatistics(100, Pending, 0, 0, 4096, 1 << 20, 0, 0, 0, Writes);
        }

        private sealed class RecordingNotifier(Scenario scenario) : ISystemdNotifier
        {
            public bool IsEnabled => true;

            public void Notify(ServiceState state)
            {
                var text = state.ToString();
                if (scenario.Fault(text) is { } e)
                {
                    throw e;
                }
                lock (scenario._gate)
                {
                    scenario._sent.Add((scenario.Checks, scenario.Time.GetUtcNow(), text));
                }
            }
        }

        /// <summary>
        /// Runs the watchdog until check <paramref name="checks"/> + 1 happened: the loop is
        /// sequential, so everything sent at checks 1..<paramref name="checks"/> has been sent.
        /// </summary>
        public async Task<CapturingLogger<SystemdWatchdog>> RunAsync(SystemdWatchdogSettings settings, int checks)
        {
            var log = new CapturingLogger<SystemdWatchdog>();
            using var watchdog = new SystemdWatchdog(Notifier, settings, Health, Time, log);
            await watchdog.StartAsync(CancellationToken.None);
            await Time.WaitForTimersAsync(1);
            for (var n = 1; n <= checks; n++)
            {
                await Eventually.HoldsAsync(() => Checks >= n, () => $"health check {n}");
                Assert.True(Time.AdvanceToNextTimer());
            }
            await Eventually.HoldsAsync(() => Checks >= checks + 1, () => $"health check {checks + 1}");
            await watchdog.StopAsync(CancellationToken.None);
            return log;
        }
    }

    [Fact]
    public async Task Pings_every_half_WATCHDOG_USEC_while_healthy_none_while_a_critical_component_restarts_and_again_once_it_runs()
    {
        var scenario = new Scenario(new WatchedFakeTime(Start));
        scenario.Before = n =>
        {
            if (n == 4)
            {
                scenario.Forwarder.Failed(2, new IOException("broker closed the connection"), TimeSpan.FromSeconds(4));
            }
            if (n == 7)
            {
                scenario.Forwarder.Running();
            }
        };
        var settings = SystemdWatchdogSettings.From(v => v == "WATCHDOG_USEC" ? "10000000" : null, 1234);
        Assert.Equal(Ping, settings.PingInterval);

        var log = await scenario.RunAsync(settings, checks: 8);

        var sent = scenario.Sent.Where(s => s.Check <= 8).ToList();
        var pings = sent.Where(s => s.State == "WATCHDOG=1").ToList();
        Assert.Equal([1, 2, 3, 7, 8], pings.Select(p => p.Check));
        Assert.Equal([TimeSpan.Zero, Ping, 2 * Ping, 6 * Ping, 7 * Ping], pings.Select(p => p.At - Start));
        var statuses = sent.Where(s => s.State.StartsWith("STATUS=", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                (1, "STATUS=uplink connected, backlog 5"),
                (4, "STATUS=unhealthy: uplink-forwarder restarting after 2 failure(s); uplink connected, backlog 5"),
                (7, "STATUS=uplink connected, backlog 5"),
            ],
            statuses.Select(s => (s.Check, s.State)));
        // STATUS before WATCHDOG in one check: `systemctl status` never shows a stale line next to a fresh ping
        Assert.True(sent.IndexOf(statuses[0]) < sent.IndexOf(pings[0]));
        Assert.Equal(
            [
                "systemd watchdog: WatchdogSec 10 s, pinging every 5 s while the node is healthy",
                "node unhealthy (unhealthy: uplink-forwarder restarting after 2 failure(s); uplink connected, backlog 5); watchdog pings stop until it recovers",
                "node healthy again (uplink connected, backlog 5)",
            ],
            log.Lines);
    }

    [Fact]
    public async Task A_store_failing_its_commits_stops_the_pings_a_full_disk_or_an_unreachable_broker_does_not()
    {
        var scenario = new Scenario(new WatchedFakeTime(Start));
        scenario.Before = n =>
        {
            (scenario.Writes, scenario.Uplink) = n switch
            {
                2 => (new StoreWriteStatus(StoreWriteState.Full, Start, 4, "database or disk is full"), MqttConnectionState.Connected),
                3 => (new StoreWriteStatus(StoreWriteState.Failing, Start, 3, "disk I/O error"), MqttConnectionState.Connected),
                4 => (new StoreWriteStatus(StoreWriteState.Ok, Start, 0, null), MqttConnectionState.Failing),
                _ => (new StoreWriteStatus(StoreWriteState.Ok, Start, 0, null), MqttConnectionState.Connected),
            };
            scenario.Pending = n * 10;
        };

        await scenario.RunAsync(SystemdWatchdogSettings.From(v => v == "WATCHDOG_USEC" ? "10000000" : null, 1234), checks: 4);

        var sent = scenario.Sent.Where(s => s.Check <= 4).Select(s => (s.Check, s.State)).ToList();
        Assert.Equal(
            [
                (1, "STATUS=uplink connected, backlog 10"), (1, "WATCHDOG=1"),
                (2, "STATUS=uplink connected, backlog 20; store: disk full"), (2, "WATCHDOG=1"),
                (3, "STATUS=unhealthy: store writes failing (3 in a row: disk I/O error); uplink connected, backlog 30"),
                (4, "STATUS=uplink unreachable, backlog 40"), (4, "WATCHDOG=1"),
            ],
            sent);
    }

    [Fact]
    public async Task Without_a_watchdog_for_this_process_only_the_status_line_is_sent()
    {
        var scenario = new Scenario(new WatchedFakeTime(Start));
        scenario.Before = n => scenario.Pending = n <= 2 ? 7 : 8;
        // systemd armed the watchdog for another pid: a child that inherited the variables
        var settings = SystemdWatchdogSettings.From(v => v switch { "WATCHDOG_USEC" => "10000000", "WATCHDOG_PID" => "99", _ => null }, 1234);
        Assert.Null(settings.PingInterval);

        var log = await scenario.RunAsync(settings, checks: 3);

        Assert.Equal([(1, "STATUS=uplink connected, backlog 7"), (3, "STATUS=uplink connected, backlog 8")],
            scenario.Sent.Where(s => s.Check <= 3).Select(s => (s.Check, s.State)));
        Assert.Equal(SystemdWatchdog.StatusInterval * 2, scenario.Sent.Last(s => s.Check <= 3).At - Start);
        Assert.Empty(log.Lines);
    }

    [Theory]
    [InlineData("10000000", "1234", 5000.0)]
    [InlineData("3000", null, 1.5)]
    [InlineData("0", null, null)]
    [InlineData("ten", null, null)]
    [InlineData("-5", null, null)]
    [InlineData(null, "1234", null)]
    public void WATCHDOG_USEC_is_halved_for_this_pid_and_ignored_when_absent_or_invalid(string? usec, string? pid, double? pingMs)
    {
        var settings = SystemdWatchdogSettings.From(v => v switch { "WATCHDOG_USEC" => usec, "WATCHDOG_PID" => pid, _ => null }, 1234);
        Assert.Equal(pingMs, settings.PingInterval?.TotalMilliseconds);
    }

    [Fact]
    public async Task A_notify_socket_that_is_gone_ends_the_notifications_with_one_line_not_a_crash()
    {
        var scenario = new Scenario(new WatchedFakeTime(Start))
        {
            Fault = state => state == "WATCHDOG=1" ? new SocketException((int)SocketError.ConnectionRefused) : null,
        };
        var log = new CapturingLogger<SystemdWatchdog>();
        using var watchdog = new SystemdWatchdog(scenario.Notifier, SystemdWatchdogSettings.From(v => v == "WATCHDOG_USEC" ? "10000000" : null, 1), scenario.Health, scenario.Time, log);
        await watchdog.StartAsync(CancellationToken.None);

        await Eventually.HoldsAsync(() => watchdog.ExecuteTask!.IsCompleted, () => "the watchdog loop ends");
        Assert.True(watchdog.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal(["STATUS=uplink connected, backlog 5"], scenario.Sent.Select(s => s.State));
        Assert.Equal(1, scenario.Checks);
        Assert.Contains(log.Lines, l => l.StartsWith("systemd notification WATCHDOG failed: Connection refused; no more watchdog pings", StringComparison.Ordinal));
        await watchdog.StopAsync(CancellationToken.None);
    }
}
