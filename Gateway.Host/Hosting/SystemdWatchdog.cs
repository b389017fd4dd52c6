using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// systemd's watchdog and status line. READY=1 and STOPPING=1 come from the systemd lifetime
/// (<c>AddSystemd</c>: READY once every component started, the store open). Here: WATCHDOG=1 every
/// half <c>WATCHDOG_USEC</c>, but only while <see cref="NodeHealth"/> says healthy — a node whose
/// uplink machinery or store is broken stops pinging and systemd restarts it after WatchdogSec,
/// as it would a hung one. STATUS= carries the health line whenever it changes.
/// </summary>
internal sealed partial class SystemdWatchdog(ISystemdNotifier notifier, SystemdWatchdogSettings settings, NodeHealth health, TimeProvider time, ILogger<SystemdWatchdog> logger) : BackgroundService
{
    /// <summary>How often the STATUS line is refreshed when systemd asked for no watchdog.</summary>
    internal static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = settings.PingInterval ?? StatusInterval;
        if (settings.PingInterval is { } ping)
        {
            Log.WatchdogEnabled(logger, ping.TotalSeconds * 2, ping.TotalSeconds);
        }
        string? lastStatus = null;
        var wasHealthy = true;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var report = health.Check();
            if (report.Status != lastStatus && !Send("STATUS=" + report.Status))
            {
                return;
            }
            lastStatus = report.Status;
            if (report.Healthy != wasHealthy)
            {
                if (report.Healthy)
                {
                    Log.Healthy(logger, report.Status);
                }
                else
                {
                    Log.Unhealthy(logger, report.Status, settings.PingInterval is null ? "no watchdog is configured" : "watchdog pings stop until it recovers");
                }
                wasHealthy = report.Healthy;
            }
            if (settings.PingInterval is not null && report.Healthy && !Send("WATCHDOG=1"))
            {
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>False once the socket is gone (systemd stopped listening): nothing more to tell it.</summary>
    private bool Send(string state)
    {
        try
        {
            notifier.Notify(new ServiceState(state));
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ObjectDisposedException)
        {
            Log.NotifyFailed(logger, state.Split('=')[0], e.Message);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1050, LogLevel.Information, "systemd watchdog: WatchdogSec {WatchdogSeconds:0.###} s, pinging every {PingSeconds:0.###} s while the node is healthy")]
        public static partial void WatchdogEnabled(ILogger logger, double watchdogSeconds, double pingSeconds);

        [LoggerMessage(1051, LogLevel.Warning, "node unhealthy ({Status}); {Consequence}")]
        public static partial void Unhealthy(ILogger logger, string status, string consequence);

        [LoggerMessage(1052, LogLevel.Information, "node healthy again ({Status})")]
        public static partial void Healthy(ILogger logger, string status);

        [LoggerMessage(1053, LogLevel.Error, "systemd notification {Kind} failed: {Error}; no more watchdog pings or status lines are sent")]
        public static partial void NotifyFailed(ILogger logger, string kind, string error);
    }
}

/// <summary>What systemd asked of this process through its environment.</summary>
/// <param name="PingInterval">Half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises; null when no watchdog is armed for this process.</param>
internal sealed record SystemdWatchdogSettings(TimeSpan? PingInterval)
{
    /// <summary>
    /// WATCHDOG_USEC, if WATCHDOG_PID is absent or names this process (a child started by the
    /// service inherits the variables but is not the one systemd watches).
    /// </summary>
    public static SystemdWatchdogSettings From(Func<string, string?> environment, int processId)
    {
        var pid = environment("WATCHDOG_PID");
        if (pid is not null && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return new SystemdWatchdogSettings((TimeSpan?)null);
        }
        return ulong.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? new SystemdWatchdogSettings(TimeSpan.FromTicks((long)(Math.Min(usec, (ulong)TimeSpan.MaxValue.Ticks / 10) * 10 / 2)))
            : new SystemdWatchdogSettings((TimeSpan?)null);
    }
}
