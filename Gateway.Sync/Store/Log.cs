using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Store;

internal static partial class Log
{
    [LoggerMessage(4301, LogLevel.Information, "store {Path} open: last seq {LastSeq}, {Readings} reading(s), {Events} event(s) pending, budget {BudgetBytes} bytes, durability {Durability}")]
    public static partial void Opened(ILogger logger, string path, long lastSeq, long readings, long events, long budgetBytes, StoreDurability durability);

    [LoggerMessage(4302, LogLevel.Error, "store {Path} was unusable ({Problem}); moved to {MovedTo} and started a fresh store above seq {ReservedThrough}")]
    public static partial void Quarantined(ILogger logger, string path, string problem, string movedTo, long reservedThrough);

    [LoggerMessage(4303, LogLevel.Warning, "store budget reached: dropped {Count} {RecordClass} record(s), seq {FromSeq}..{ToSeq}")]
    public static partial void Dropped(ILogger logger, long count, string recordClass, long fromSeq, long toSeq);

    [LoggerMessage(4304, LogLevel.Error, "store write failed for {Records} record(s) (disk full: {DiskFull})")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int records, bool diskFull);

    [LoggerMessage(4305, LogLevel.Information, "clock trusted: fixed the time of {Count} record(s) measured before")]
    public static partial void ClockFixed(ILogger logger, long count);

    [LoggerMessage(4306, LogLevel.Error, "store maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(4307, LogLevel.Warning, "store {Path} was missing; started a fresh store above seq {ReservedThrough}")]
    public static partial void StoreMissing(ILogger logger, string path, long reservedThrough);

    [LoggerMessage(4308, LogLevel.Warning, "store {Path}: the last run ended without a clean shutdown on an earlier boot and durability is relaxed; seqs {FromSeq}..{ToSeq} may have been issued and lost, continuing above them")]
    public static partial void RelaxedPowerLoss(ILogger logger, string path, long fromSeq, long toSeq);

    [LoggerMessage(4309, LogLevel.Error, "store {Path}: {Count} {RecordClass} record(s) could not be decoded ({Problem}); dropped seq {FromSeq}..{ToSeq} so the records behind them can be delivered")]
    public static partial void Undecodable(ILogger logger, string path, long count, string recordClass, string problem, long fromSeq, long toSeq);

    [LoggerMessage(4310, LogLevel.Information, "store {Path} writes again after {Failures} failed commit(s) over {Seconds:0} s")]
    public static partial void WritesRecovered(ILogger logger, string path, int failures, double seconds);

    [LoggerMessage(4311, LogLevel.Error, "the producer of event {Type} from {Source} failed when told its seq {Seq}")]
    public static partial void StoredCallbackFailed(ILogger logger, Exception exception, string type, string source, long seq);
}
