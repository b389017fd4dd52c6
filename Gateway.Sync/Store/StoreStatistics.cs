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
    StoreWriteStatus Writes);
