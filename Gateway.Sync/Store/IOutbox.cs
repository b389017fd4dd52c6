namespace Gateway.Sync.Store;

/// <summary>
/// Uplink side of the durable store, for the MQTT forwarder (issue 4). Each class is read in seq
/// order after a checkpoint the forwarder keeps in memory (start at 0 after a restart: every
/// record not yet acknowledged is still there, under its original seq). Acknowledged records are
/// removed in batches (<c>storage.ackFlushSeconds</c>), so a record acknowledged just before a
/// crash may be delivered again: the platform dedupes on (node, seq).
/// </summary>
public interface IOutbox
{
    ValueTask<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<StoredSnapshot>> ReadSnapshotsAsync(long afterEventSeq, int maxCount, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<StoredReading>> ReadReadingsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Marks records delivered (after PUBACK). Cheap: only queued until the next flush.</summary>
    void Acknowledge(RecordClass recordClass, long seq);

    void Acknowledge(RecordClass recordClass, IEnumerable<long> seqs);

    /// <summary>Removes every acknowledged record now (shutdown, tests).</summary>
    Task FlushAcknowledgementsAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes when a record is appended after this call (the forwarder's idle wait).</summary>
    Task WaitForAppendAsync(CancellationToken cancellationToken = default);

    StoreStatistics GetStatistics();

    /// <summary>The boot id that untimed records of this boot carry (<see cref="RecordTime.BootId"/>): only they can still be dated.</summary>
    string BootId { get; }
}
