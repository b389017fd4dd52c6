using Gateway.Contracts;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// The health check of a change that restarted the host, run by the new host: every supervised
/// component must run without failing for <c>host.applyHealthSeconds</c>; if one fails, the
/// previous file is restored and the host restarted on it. The host after that one records the
/// rollback (audit line, <c>config.applied</c> "rolled-back"), since only it has a running store.
/// </summary>
internal sealed class PendingApplyCheck(
    PendingConfigApply pending,
    ComponentSupervision supervision,
    RunningConfiguration running,
    ConfigFileWriter writer,
    ConfigAuditLog audit,
    IngestQueue queue,
    HostRestart restart,
    TimeProvider time,
    ILogger<PendingApplyCheck> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _check;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _check = pending.RolledBackBecause is { } problems ? RecordRollbackAsync(problems) : WatchAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_check is not null)
        {
            await _check.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RecordRollbackAsync(IReadOnlyList<ConfigError> problems)
    {
        var result = new ConfigApplyResult(ConfigApplyOutcome.RolledBack, running.Current.Version, problems, "host", pending.Diff);
        await ConfigApplier.RecordAsync(audit, queue, time, logger, pending.Actor, pending.PreviousVersion, pending.Diff, result).ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(running.Current.Options.Host.ApplyHealthSeconds), time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var failed = supervision.Components.Where(c => c.ConsecutiveFailures > 0 || c.State is "restarting" or "failed").ToList();
        if (failed.Count == 0)
        {
            Log.HostChangeHealthy(logger, pending.Version, pending.Actor.User, pending.Actor.Via);
            return;
        }
        var problems = failed.Select(c => new ConfigError("", $"component {c.Name} failed after the change: {c.ToJson()["lastError"]}")).ToList();
        Log.HostChangeFailed(logger, pending.Version, pending.PreviousVersion, string.Join("; ", problems));
        writer.RestoreLastGood(running.ConfigPath);
        restart.Request(pending with { RolledBackBecause = problems });
    }

    public void Dispose() => _stopping.Dispose();
}
