using Gateway.Sync.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Time;

/// <summary>
/// Vouches for the system clock while the kernel says an NTP daemon keeps it synchronised
/// (<see cref="IKernelClock"/>), and withdraws that when it stops; on the usual pole the daemon
/// (chrony, systemd-timesyncd) sets the clock, and the gateway only has to notice.
/// </summary>
internal sealed partial class KernelClockWatcher(IKernelClock kernel, IClockSync clock, TimeProvider time, ILogger<KernelClockWatcher> logger) : BackgroundService
{
    internal const string Source = "kernel";

    /// <summary>The kernel's limit (NTP_PHASE_LIMIT): at this maximum error the clock counts as unsynchronised.</summary>
    internal static readonly TimeSpan UnsynchronisedAt = TimeSpan.FromSeconds(16);

    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(64);

    private bool _vouched;
    private bool _unreadable;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            Check();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal void Check()
    {
        var error = kernel.MaximumError();
        if (error is null)
        {
            if (!_unreadable)
            {
                Log.Unreadable(logger);
                _unreadable = true;
            }
            return;
        }
        _unreadable = false;
        var synced = error < UnsynchronisedAt;
        if (synced && !_vouched)
        {
            Log.Synchronised(logger, error.Value.TotalMilliseconds);
            _vouched = true;
            if (!clock.IsSynchronized)
            {
                clock.ReportSynchronized(Source);
            }
        }
        else if (!synced && _vouched)
        {
            Log.Lost(logger);
            _vouched = false;
            clock.ReportLost(Source);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4401, LogLevel.Information, "clock: the kernel reports the system clock synchronised by an NTP daemon (maximum error {MaxErrorMs} ms)")]
        public static partial void Synchronised(ILogger logger, double maxErrorMs);

        [LoggerMessage(4402, LogLevel.Warning, "clock: the kernel no longer reports the system clock synchronised (is the NTP daemon running? `timedatectl timesync-status` or `chronyc tracking`)")]
        public static partial void Lost(ILogger logger);

        [LoggerMessage(4403, LogLevel.Warning, "clock: adjtimex(2) cannot be read; the system clock's NTP state is not watched")]
        public static partial void Unreadable(ILogger logger);
    }
}
