namespace Gateway.Sync.Store;

/// <summary>What the store holds and has done, for status pages and health.</summary>
public sealed record StoreStatistics(
    long LastSeq,
    long PendingReadings,
    long PendingEvents,
    long PendingSnapshots,
    long FileBytes,
    long BudgetBytes,
    long DroppedReadings,
    long DroppedEvents,
    long DroppedSnapshots,
    StoreWriteStatus Writes)
{
    /// <summary>Measurement time of the oldest record held (the health topic's backlog age); null when none is dated.</summary>
    public DateTimeOffset? OldestPendingAt { get; init; }
}
