using Microsoft.Extensions.Logging;

namespace Gateway.Host.ConfigApply;

internal static partial class Log
{
    [LoggerMessage(1700, LogLevel.Information, "configuration {Path} changed from {OldVersion} to {NewVersion} by {By} via {Via}; restarting {Restarted}")]
    public static partial void Written(ILogger logger, string path, string oldVersion, string newVersion, string by, string via, string restarted);

    [LoggerMessage(1701, LogLevel.Information, "configuration {Version} applied (by {By} via {Via}; restarted {Restarted})")]
    public static partial void Applied(ILogger logger, string version, string by, string via, string restarted);

    [LoggerMessage(1702, LogLevel.Information, "configuration change by {By} via {Via} refused: {Count} error(s), first {First}")]
    public static partial void Rejected(ILogger logger, string by, string via, int count, string first);

    [LoggerMessage(1703, LogLevel.Information, "configuration change by {By} via {Via} refused: based on version {BaseVersion}, running {Version}")]
    public static partial void Conflict(ILogger logger, string by, string via, string baseVersion, string version);

    [LoggerMessage(1704, LogLevel.Warning, "configuration {Version} failed after apply ({Problems}); restoring {PreviousVersion}")]
    public static partial void RollingBack(ILogger logger, string version, string previousVersion, string problems);

    [LoggerMessage(1705, LogLevel.Error, "the previous configuration did not start again after a rollback: {Error}")]
    public static partial void RollbackFailed(ILogger logger, string error);

    [LoggerMessage(1706, LogLevel.Error, "cannot append to the configuration audit log {Path}: {Error}")]
    public static partial void AuditFailed(ILogger logger, string path, string error);

    [LoggerMessage(1707, LogLevel.Warning, "the gateway did not come up healthy on configuration {Version} ({Problems}); restoring {PreviousVersion} and restarting")]
    public static partial void HostChangeFailed(ILogger logger, string version, string previousVersion, string problems);

    [LoggerMessage(1708, LogLevel.Information, "configuration {Version} (by {By} via {Via}) running after a host restart")]
    public static partial void HostChangeHealthy(ILogger logger, string version, string by, string via);
}
