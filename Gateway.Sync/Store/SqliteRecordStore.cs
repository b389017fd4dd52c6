using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Store;

/// <summary>
/// The durable store (SPEC section 2.3, issue 3) as its users see it: API appends go through the
/// bounded request queue to <see cref="StoreWriter"/> (which also drains the drivers'
/// <see cref="IngestQueue"/>), reads to <see cref="OutboxReader"/>,
/// acknowledgements to <see cref="AcknowledgementLog"/>. This class composes the parts and owns
/// their lifetime (open with <see cref="StoreRecovery"/>, a maintenance timer, a clean close).
/// </summary>
internal sealed class SqliteRecordStore : IRecordStore, IOutbox, ILastStateEvents, IAsyncDisposable, IDisposable
{
    private readonly StoreContext _store;
    private readonly RecordInserter _inserter;
    private readonly AcknowledgementLog _acknowledgements;
    private readonly StoreRecovery _recovery;
    private readonly StoreBudget _budget;
    private readonly StoreWriter _writer;
    private readonly OutboxReader _reader;
    private readonly Channel<WriteRequest> _queue;
    private Task _writerTask = Task.CompletedTask;
    private ITimer? _maintenanceTimer;
    private int _disposed;

    private SqliteRecordStore(StoreContext store, IngestQueue? ingest)
    {
        _store = store;
        _queue = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(store.Settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // backpressure: producers wait for the disk
        });
        _inserter = new RecordInserter(store);
        _acknowledgements = new AcknowledgementLog(store);
        _recovery = new StoreRecovery(store);
        _budget = new StoreBudget(store, _inserter);
        var undecodable = new UndecodableRows(store, _inserter, _queue.Writer);
        _writer = new StoreWriter(store, _queue, ingest, _inserter, _acknowledgements, _budget, new ClockFixUp(store), undecodable);
        store.LoadCatalogs();
        _reader = new OutboxReader(StoreSchema.Open(store.Settings.Path, readOnly: true), store.Series, store.BootIdOf, undecodable.ReportAsync);
    }

    /// <summary>Opens (checking, and if need be quarantining) the store at <see cref="StoreSettings.Path"/>.</summary>
    /// <exception cref="StoreUnavailableException">The path cannot hold a store (with the path and the OS reason).</exception>
    /// <param name="ingest">The drivers' queue, which the writer drains into its transactions; null when nothing publishes to the store that way.</param>
    public static SqliteRecordStore Open(StoreSettings settings, TimeProvider time, IClockSync clock, ILogger logger, IngestQueue? ingest = null) =>
        StoreRecovery.Open(settings, time, (connection, highWaterMark, fresh, quarantine) =>
        {
            var store = new SqliteRecordStore(new StoreContext(settings, time, clock, logger, connection, highWaterMark), ingest);
            store.Start(fresh, quarantine);
            return store;
        });

    public async ValueTask<long> AppendReadingAsync(Reading reading, CancellationToken cancellationToken = default)
    {
        var request = new ReadingsRequest([reading]);
        await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        return (await request.Completion.Task.ConfigureAwait(false)).First;
    }

    public async ValueTask<SeqRange> AppendReadingsAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        if (readings.Count == 0)
        {
            throw new ArgumentException("no readings to append", nameof(readings));
        }
        var request = new ReadingsRequest(readings);
        await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        return await request.Completion.Task.ConfigureAwait(false);
    }

    public async ValueTask<long> AppendEventAsync(GatewayEvent newEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        var request = new EventRequest(newEvent);
        await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        return await request.Completion.Task.ConfigureAwait(false);
    }

    public async ValueTask AppendSnapshotAsync(long eventSeq, ReadOnlyMemory<byte> jpeg, CancellationToken cancellationToken = default)
    {
        var request = new SnapshotRequest(eventSeq, jpeg);
        await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await request.Completion.Task.ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default) =>
        _reader.ReadEventsAsync(afterSeq, maxCount, cancellationToken);

    public ValueTask<IReadOnlyList<StoredSnapshot>> ReadSnapshotsAsync(long afterEventSeq, int maxCount, CancellationToken cancellationToken = default) =>
        _reader.ReadSnapshotsAsync(afterEventSeq, maxCount, cancellationToken);

    public ValueTask<IReadOnlyList<StoredReading>> ReadReadingsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default) =>
        _reader.ReadReadingsAsync(afterSeq, maxCount, cancellationToken);

    public IReadOnlyDictionary<string, string> ReadLastStateEvents() => _reader.LastStateEvents();

    public void Acknowledge(RecordClass recordClass, long seq) => Acknowledge(recordClass, [seq]);

    public void Acknowledge(RecordClass recordClass, IEnumerable<long> seqs)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (_acknowledgements.Add(recordClass, seqs))
        {
            _queue.Writer.TryWrite(new MaintenanceRequest(flushAcknowledgements: true, null));
        }
    }

    public async Task FlushAcknowledgementsAsync(CancellationToken cancellationToken = default)
    {
        var request = new MaintenanceRequest(flushAcknowledgements: true, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await request.Completion!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task WaitForAppendAsync(CancellationToken cancellationToken = default) => _store.WaitForAppendAsync(cancellationToken);

    public string BootId => _store.BootId;

    public StoreWriteStatus WriteStatus => _writer.Health;

    public StoreStatistics GetStatistics()
    {
        var counts = _reader.Count();
        var dropped = _store.Dropped;
        return new StoreStatistics(
            _store.CommittedSeq, counts.Readings, counts.Events, counts.Snapshots,
            FileBytes(), _store.Settings.BudgetBytes,
            dropped.Readings, dropped.Events, dropped.Snapshots,
            _writer.Health)
        {
            OldestPendingAt = _reader.OldestPendingTime(),
        };
    }

    /// <summary>Bytes the store occupies on disk: every file it owns (the budget covers them all).</summary>
    public long FileBytes() => _store.FileBytes();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _store.Clock.Synchronized -= OnClockSynchronized;
        if (_maintenanceTimer is not null)
        {
            await _maintenanceTimer.DisposeAsync().ConfigureAwait(false);
        }
        var final = new MaintenanceRequest(flushAcknowledgements: true, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_queue.Writer.TryWrite(final) || await TryQueueAsync(final).ConfigureAwait(false))
        {
            await final.Completion!.Task.ConfigureAwait(false);
        }
        _queue.Writer.TryComplete();
        await _writerTask.ConfigureAwait(false);
        try
        {
            _recovery.SetRunMarker(clean: true);
        }
        catch (SqliteException ex)
        {
            Log.MaintenanceFailed(_store.Logger, ex); // next start treats this run as unclean: safe
        }
        _reader.Dispose();
        _inserter.Dispose();
        _store.Connection.Dispose();
        _store.HighWaterMark.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<bool> TryQueueAsync(WriteRequest request)
    {
        try
        {
            await _queue.Writer.WriteAsync(request).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    private void OnClockSynchronized(object? sender, EventArgs e) =>
        _queue.Writer.TryWrite(new MaintenanceRequest(flushAcknowledgements: false, null));

    private void Start(bool fresh, StoreFileCheck.Quarantine? quarantine)
    {
        var resetData = _recovery.Recover(fresh, quarantine);
        _budget.Shrink();
        var counts = _reader.Count();
        _store.CommittedSeq = _store.LastSeq;
        Log.Opened(_store.Logger, _store.Settings.Path, _store.LastSeq, counts.Readings, counts.Events, _store.Settings.BudgetBytes, _store.Settings.Durability);
        if (resetData is not null)
        {
            // Committed before Open returns: the reset is on record before anything else is stored.
            var reset = new EventRequest(GatewayEvent.Now(_store.Time, "buffer.dropped", "store", resetData));
            if (!_writer.Commit([reset]))
            {
                throw new StoreWriteException($"store {_store.Settings.Path}: could not record the store reset", reset.Completion.Task.Exception!.InnerException!);
            }
        }
        _writerTask = Task.Run(_writer.RunAsync);
        _maintenanceTimer = _store.Time.CreateTimer(_ => _queue.Writer.TryWrite(new MaintenanceRequest(flushAcknowledgements: true, null)), null, _store.Settings.AckFlushInterval, _store.Settings.AckFlushInterval);
        _store.Clock.Synchronized += OnClockSynchronized;
    }
}
