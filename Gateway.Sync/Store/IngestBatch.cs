namespace Gateway.Sync.Store;

/// <summary>
/// The records the writer took from the <see cref="IngestQueue"/> for one transaction, kept until
/// they are committed: a failed commit loses none of them. They are offered again after a pause
/// of 1 s doubling to 30 s (on the store's <see cref="TimeProvider"/>); meanwhile nothing more is
/// taken, so the full queue holds the drivers back. Writer only.
/// </summary>
internal sealed class IngestBatch(IngestQueue queue, TimeProvider time, int capacity)
{
    internal static readonly TimeSpan FirstRetryPause = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan MaxRetryPause = TimeSpan.FromSeconds(30);

    private readonly IngestRecord[] _records = new IngestRecord[capacity];
    private TimeSpan _pause = FirstRetryPause;
    private Task? _retry;
    private Task<bool>? _arrival;

    public int Count { get; private set; }

    public long EstimatedBytes { get; private set; }

    public ReadOnlySpan<IngestRecord> Records => _records.AsSpan(0, Count);

    /// <summary>Records are waiting to be committed now: taken ones whose pause is over, or new ones in the queue.</summary>
    public bool IsDue => Count > 0 ? _retry is null || _retry.IsCompleted : queue.Reader.TryPeek(out _);

    /// <summary>What to wait for beside the writer's requests: the end of the pause, or a record arriving.</summary>
    public Task WhenDue()
    {
        if (Count > 0)
        {
            return _retry ?? Task.CompletedTask;
        }
        if (_arrival is null || _arrival.IsCompleted)
        {
            // One wait at a time: a new one per loop would pile up waiters in the channel.
            _arrival = queue.Reader.WaitToReadAsync().AsTask();
        }
        return _arrival;
    }

    /// <summary>
    /// Takes records in queue order while the transaction has room (<paramref name="maxRecords"/>,
    /// <paramref name="maxBytes"/>; the first always goes), unless taken ones still wait. At most <paramref name="limit"/>.
    /// </summary>
    public void Take(int maxRecords, long maxBytes, int limit = int.MaxValue)
    {
        if (Count > 0)
        {
            return;
        }
        var reader = queue.Reader;
        while (Count < Math.Min(Math.Min(maxRecords, _records.Length), limit) && reader.TryPeek(out var next))
        {
            var bytes = next.Event is { } e ? WriteRequest.EventBytes(e) : WriteRequest.ReadingBytes(next.Reading);
            if (Count > 0 && EstimatedBytes + bytes > maxBytes)
            {
                break;
            }
            reader.TryRead(out _);
            _records[Count++] = next;
            EstimatedBytes += bytes;
        }
    }

    /// <summary>The taken records are committed: forget them and the back-off.</summary>
    public void Committed()
    {
        Array.Clear(_records, 0, Count);
        Count = 0;
        EstimatedBytes = 0;
        _retry = null;
        _pause = FirstRetryPause;
    }

    /// <summary>Their commit failed: keep them and offer them again after the next pause.</summary>
    public void Failed()
    {
        if (Count == 0)
        {
            return;
        }
        _retry = Task.Delay(_pause, time);
        _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, MaxRetryPause.Ticks));
    }
}
