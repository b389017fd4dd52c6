namespace Gateway.Sync.Store;

/// <summary>
/// Ingest side of the durable store (SPEC section 2.3): safe to call from many producers at
/// once. Each call returns the assigned seq once the record is durable as configured
/// (<see cref="StoreDurability"/>); appends are group-committed behind a bounded queue, so a
/// producer waits when the disk cannot keep up. Throws <see cref="StoreWriteException"/> when
/// the record could not be stored.
/// </summary>
public interface IRecordStore
{
    ValueTask<long> AppendReadingAsync(Reading reading, CancellationToken cancellationToken = default);

    /// <summary>Stores all readings in one transaction under contiguous seqs, in list order.</summary>
    ValueTask<SeqRange> AppendReadingsAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken = default);

    ValueTask<long> AppendEventAsync(GatewayEvent newEvent, CancellationToken cancellationToken = default);

    /// <summary>Attaches a snapshot to an already stored event (published under <c>snapshots/{eventSeq}</c>).</summary>
    ValueTask AppendSnapshotAsync(long eventSeq, ReadOnlyMemory<byte> jpeg, CancellationToken cancellationToken = default);

    /// <summary>Whether commits succeed now (ok, failing since …, full since …), cheap to read often.</summary>
    StoreWriteStatus WriteStatus { get; }
}
