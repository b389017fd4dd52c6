namespace Gateway.Sync.Store;

/// <summary>One item of the store's bounded request queue (API appends, acks, maintenance); the writer group-commits many of them beside the driver records of the <see cref="IngestQueue"/>.</summary>
internal abstract class WriteRequest
{
    /// <summary>Records this request adds (bounds the size of one transaction).</summary>
    public abstract int RecordCount { get; }

    /// <summary>Bytes this request adds on disk, estimated (bounds the size of one transaction, so the budget can reserve room for it).</summary>
    public abstract long EstimatedBytes { get; }

    public abstract void Fail(Exception exception);

    // ~31 bytes a reading is measured (docs/bench/store.md); reasons come on top.
    public static long ReadingBytes(in Reading reading) => 40 + Utf8(reading.Reason);

    public static long EventBytes(GatewayEvent e) =>
        48 + Utf8(e.Type) + Utf8(e.Source) + Utf8(e.DataJson) + (e.Snapshot.IsEmpty ? 0 : 16 + e.Snapshot.Length);

    protected static long Utf8(string? text) => text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);
}

internal sealed class ReadingsRequest(IReadOnlyList<Reading> readings) : WriteRequest
{
    public IReadOnlyList<Reading> Readings { get; } = readings;

    public TaskCompletionSource<SeqRange> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => Readings.Count;

    public override long EstimatedBytes { get; } = readings.Sum(r => ReadingBytes(r));

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

internal sealed class EventRequest(GatewayEvent newEvent) : WriteRequest
{
    public GatewayEvent Event { get; } = newEvent;

    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => 1;

    public override long EstimatedBytes => EventBytes(Event);

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

internal sealed class SnapshotRequest(long eventSeq, ReadOnlyMemory<byte> jpeg) : WriteRequest
{
    public long EventSeq { get; } = eventSeq;

    public ReadOnlyMemory<byte> Jpeg { get; } = jpeg;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => 1;

    public override long EstimatedBytes => 16 + Jpeg.Length;

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

/// <summary>Rows the reader could not decode: delete them and record a <c>buffer.dropped</c> event per run of seqs.</summary>
internal sealed class UndecodableRequest(RecordClass recordClass, IReadOnlyList<(long Seq, string Problem)> rows) : WriteRequest
{
    public RecordClass RecordClass { get; } = recordClass;

    public IReadOnlyList<(long Seq, string Problem)> Rows { get; } = rows;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => Rows.Count;

    public override long EstimatedBytes => 256;

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

/// <summary>Flush acknowledgements, fix clocks, reclaim space; <see cref="Completion"/> is null for timer ticks.</summary>
internal sealed class MaintenanceRequest(bool flushAcknowledgements, TaskCompletionSource? completion) : WriteRequest
{
    public bool FlushAcknowledgements { get; } = flushAcknowledgements;

    public TaskCompletionSource? Completion { get; } = completion;

    public override int RecordCount => 0;

    public override long EstimatedBytes => 0;

    public override void Fail(Exception exception) => Completion?.TrySetException(exception);
}
