using Gateway.Sync.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Ends the process (exit <see cref="SupervisionPolicy.ExitCode"/>) when the store has failed every
/// commit for <see cref="FailingFor"/> with an I/O or database error — a restart reopens it (or
/// says in one line why it cannot), and systemd does the restarting. A full disk is not such an
/// error: a restart frees nothing, and what is stored is kept; it stays visible in <c>status</c>.
/// </summary>
internal sealed partial class StoreWriteWatch(IRecordStore store, ComponentSupervision supervision, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<StoreWriteWatch> logger) : BackgroundService
{
    internal static readonly TimeSpan FailingFor = TimeSpan.FromMinutes(2);

    /// <summary>Failed commits needed besides the time, so that one stuck commit does not count as a streak.</summary>
    internal const int MinimumFailures = 3;

    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var status = store.WriteStatus;
            if (status.State == StoreWriteState.Failing
                && status.ConsecutiveFailures >= MinimumFailures
                && time.GetUtcNow() - status.Since >= FailingFor)
            {
                Log.StoreGaveUp(logger, status.ConsecutiveFailures, (time.GetUtcNow() - status.Since).TotalSeconds, status.LastError ?? "", SupervisionPolicy.ExitCode);
                supervision.RequestExit(SupervisionPolicy.ExitCode);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1014, LogLevel.Critical, "the store failed {Failures} commits in a row over {Seconds:0} s (last: {Error}); stopping the gateway with exit code {ExitCode} so that systemd restarts it and the store is reopened")]
        public static partial void StoreGaveUp(ILogger logger, int failures, double seconds, string error, int exitCode);
    }
}
