namespace Gateway.Sync.Store;

/// <summary>One item of the store's bounded write queue; the writer group-commits many of them.</summary>
internal abstract class WriteRequest
{
    /// <summary>Records this request adds (bounds the size of one transaction).</summary>
    public abstract int RecordCount { get; }

    public abstract void Fail(Exception exception);
}

internal sealed class ReadingsRequest(IReadOnlyList<NewReading> readings) : WriteRequest
{
    public IReadOnlyList<NewReading> Readings { get; } = readings;

    public TaskCompletionSource<SeqRange> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => Readings.Count;

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

internal sealed class EventRequest(NewEvent newEvent) : WriteRequest
{
    public NewEvent Event { get; } = newEvent;

    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => 1;

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

internal sealed class SnapshotRequest(long eventSeq, ReadOnlyMemory<byte> jpeg) : WriteRequest
{
    public long EventSeq { get; } = eventSeq;

    public ReadOnlyMemory<byte> Jpeg { get; } = jpeg;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int RecordCount => 1;

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}

/// <summary>Flush acknowledgements, fix clocks, reclaim space; <see cref="Completion"/> is null for timer ticks.</summary>
internal sealed class MaintenanceRequest(bool flushAcknowledgements, TaskCompletionSource? completion) : WriteRequest
{
    public bool FlushAcknowledgements { get; } = flushAcknowledgements;

    public TaskCompletionSource? Completion { get; } = completion;

    public override int RecordCount => 0;

    public override void Fail(Exception exception) => Completion?.TrySetException(exception);
}
