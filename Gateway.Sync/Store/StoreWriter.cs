using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// The one writer task: takes what the request queue (API appends, acks, maintenance) and the
/// drivers' <see cref="IngestQueue"/> hold, cuts a batch at the bytes the budget reserves for one,
/// commits it in one transaction (seqs assigned inside it, so a failed commit consumes none), and
/// runs the batch's aftermath — acknowledgement flush, budget, clock fix-up — before the appends
/// return. A failed commit fails its requests at once (the API fails fast) but keeps the driver
/// records for a retry (<see cref="IngestBatch"/>); failures are counted in <see cref="StoreWriteHealth"/>.
/// </summary>
internal sealed class StoreWriter(
    StoreContext store,
    Channel<WriteRequest> requests,
    IngestQueue? ingestQueue,
    RecordInserter inserter,
    AcknowledgementLog acknowledgements,
    StoreBudget budget,
    ClockFixUp clockFixUp,
    UndecodableRows undecodable)
{
    private const int SqliteFull = 13;
    private const int DiskFullHResult = 28; // ENOSPC, as .NET reports it on Unix

    private readonly StoreWriteHealth _health = new(store.Time);
    private readonly IngestBatch? _ingest = ingestQueue is null ? null : new IngestBatch(ingestQueue, store.Time, store.Settings.MaxBatchRecords);
    private Task<bool>? _requestArrival;

    public StoreWriteStatus Health => _health.Status;

    public async Task RunAsync()
    {
        var batch = new List<WriteRequest>();
        var reader = requests.Reader;
        while (true)
        {
            var ingestDue = _ingest?.IsDue == true;
            if (!ingestDue && !reader.TryPeek(out _))
            {
                if (!await WaitAsync().ConfigureAwait(false))
                {
                    break; // closed and every request written
                }
                continue;
            }
            batch.Clear();
            var records = 0;
            long bytes = 0;
            if (ingestDue)
            {
                _ingest!.Take(store.Settings.MaxBatchRecords, store.Settings.BatchReserveBytes);
                records = _ingest.Count;
                bytes = _ingest.EstimatedBytes;
            }
            // Cut at the bytes the budget reserves for one batch (a single larger request still goes alone).
            while (records < store.Settings.MaxBatchRecords
                && reader.TryPeek(out var next)
                && ((records == 0 && batch.Count == 0) || bytes + next.EstimatedBytes <= store.Settings.BatchReserveBytes)
                && reader.TryRead(out var request))
            {
                batch.Add(request);
                records += request.RecordCount;
                bytes += request.EstimatedBytes;
            }
            try
            {
                WriteBatch(batch, ingestDue);
            }
#pragma warning disable CA1031 // the writer must survive any one failure; callers got the exception
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.MaintenanceFailed(store.Logger, ex);
                foreach (var request in batch)
                {
                    request.Fail(ex);
                }
                if (ingestDue)
                {
                    _ingest!.Failed();
                }
            }
        }
        DrainIngestAtClose();
    }

    /// <summary>Commits the requests alone (the store-reset report at open); false when it failed (each request failed).</summary>
    public bool Commit(List<WriteRequest> batch) => Commit(batch, includeIngest: false, []);

    /// <summary>Waits for a request, or for driver records to be due; false once the request queue is closed and empty.</summary>
    private async Task<bool> WaitAsync()
    {
        if (_ingest is null)
        {
            return await requests.Reader.WaitToReadAsync().ConfigureAwait(false);
        }
        // One wait at a time on each side: a new one per loop would pile up waiters in the channel.
        _requestArrival ??= requests.Reader.WaitToReadAsync().AsTask();
        await Task.WhenAny(_requestArrival, _ingest.WhenDue()).ConfigureAwait(false);
        if (!_requestArrival.IsCompleted)
        {
            return true; // driver records are due
        }
        var open = await _requestArrival.ConfigureAwait(false);
        _requestArrival = null;
        return open;
    }

    /// <summary>At close (the drivers have stopped): one more commit of what they left in the queue, so a clean stop loses nothing.</summary>
    private void DrainIngestAtClose()
    {
        if (_ingest is null)
        {
            return;
        }
        var left = ingestQueue!.Reader.Count; // what the drivers left, not what a late one adds
        while (_ingest.Count > 0 || left > 0)
        {
            if (_ingest.Count == 0)
            {
                _ingest.Take(store.Settings.MaxBatchRecords, store.Settings.BatchReserveBytes, left);
                if (_ingest.Count == 0)
                {
                    return;
                }
                left -= _ingest.Count;
            }
            WriteBatch([], includeIngest: true);
            if (_ingest.Count > 0)
            {
                return; // failed (logged once per streak): what is left in memory goes with the process
            }
        }
    }

    private void WriteBatch(List<WriteRequest> batch, bool includeIngest)
    {
        var data = batch.Where(r => r is not MaintenanceRequest).ToList();
        var completions = new List<Action>(data.Count);
        var committed = (data.Count > 0 || (includeIngest && _ingest!.Count > 0)) && Commit(data, includeIngest, completions);
        var maintenance = batch.OfType<MaintenanceRequest>().ToList();
        if (acknowledgements.FlushDue || maintenance.Any(m => m.FlushAcknowledgements))
        {
            acknowledgements.Flush();
        }
        if (committed || maintenance.Count > 0)
        {
            // Before the appends return: once an append returned, the store is within its budget.
            budget.Enforce();
            clockFixUp.Run();
        }
        foreach (var complete in completions)
        {
            complete();
        }
        if (committed)
        {
            store.SignalAppended();
        }
        foreach (var m in maintenance)
        {
            m.Completion?.TrySetResult();
        }
    }

    /// <summary>
    /// Commits the driver records taken (<paramref name="includeIngest"/>) and the requests in one
    /// transaction, in that order; adds what completes the requests to <paramref name="completions"/>
    /// (run once the batch's aftermath is done). On failure every request fails and the driver records are kept.
    /// </summary>
    private bool Commit(List<WriteRequest> batch, bool includeIngest, List<Action> completions)
    {
        var firstSeq = store.LastSeq;
        var records = 0;
        try
        {
            using var tx = store.Connection.BeginTransaction();
            if (includeIngest)
            {
                foreach (ref readonly var record in _ingest!.Records)
                {
                    if (record.Event is { } e)
                    {
                        var seq = inserter.InsertEvent(tx, e);
                        if (e.Stored is not null)
                        {
                            completions.Add(() => NotifyStored(e, seq));
                        }
                    }
                    else
                    {
                        inserter.InsertReading(tx, record.Reading);
                    }
                }
                records += _ingest.Count;
            }
            foreach (var request in batch)
            {
                completions.Add(Insert(tx, request));
                records += request.RecordCount;
            }
            store.ReserveSeqs(tx);
            if (store.Settings.CommitFault?.Invoke() is { } fault)
            {
                throw fault;
            }
            tx.Commit();
            store.Series.Commit();
            store.CommittedSeq = store.LastSeq;
            if (includeIngest)
            {
                _ingest!.Committed();
            }
            if (_health.Succeeded() is { } ended)
            {
                Log.WritesRecovered(store.Logger, store.Settings.Path, ended.ConsecutiveFailures, (store.Time.GetUtcNow() - ended.Since).TotalSeconds);
            }
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException
            // a value the database refuses (Microsoft.Data.Sqlite throws these for unbindable values)
            or InvalidOperationException or ArgumentException or FormatException)
        {
            store.LastSeq = firstSeq; // nothing of this batch is stored: its seqs are issued again (no holes)
            store.Series.Rollback();
            completions.Clear();
            var full = ex is SqliteException { SqliteErrorCode: SqliteFull } || ex.HResult == DiskFullHResult;
            var error = new StoreWriteException(
                full ? $"store {store.Settings.Path} is full (disk or file system limit): the record was not stored; records stored before are kept"
                     : $"store {store.Settings.Path} could not write: {ex.Message}",
                full, ex);
            // Once per streak, with the cause; a writer retried every second must not fill the journal.
            if (_health.Failed(full, error.Message))
            {
                Log.WriteFailed(store.Logger, ex, records, full);
            }
            foreach (var request in batch)
            {
                request.Fail(error);
            }
            if (includeIngest)
            {
                _ingest!.Failed();
            }
            return false;
        }
    }

    /// <summary>Tells the event's producer its seq (<see cref="GatewayEvent.Stored"/>); its failure is the producer's, not the writer's.</summary>
    private void NotifyStored(GatewayEvent stored, long seq)
    {
        try
        {
            stored.Stored?.Invoke(seq);
        }
#pragma warning disable CA1031 // a producer's callback must not stop the one writer
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StoredCallbackFailed(store.Logger, ex, stored.Type, stored.Source, seq);
        }
    }

    private Action Insert(SqliteTransaction tx, WriteRequest request)
    {
        switch (request)
        {
            case ReadingsRequest r:
                var first = store.LastSeq + 1;
                foreach (var reading in r.Readings)
                {
                    inserter.InsertReading(tx, reading);
                }
                var range = new SeqRange(first, store.LastSeq);
                return () => r.Completion.TrySetResult(range);
            case EventRequest e:
                var seq = inserter.InsertEvent(tx, e.Event);
                return () =>
                {
                    NotifyStored(e.Event, seq);
                    e.Completion.TrySetResult(seq);
                };
            case UndecodableRequest u:
                return undecodable.Drop(tx, u);
            case SnapshotRequest s:
                if (inserter.InsertSnapshot(tx, s.EventSeq, s.Jpeg))
                {
                    return () => s.Completion.TrySetResult();
                }
                return () => s.Completion.TrySetException(new InvalidOperationException(
                    $"event {s.EventSeq} is not stored (never, or already delivered or dropped); its snapshot was not kept"));
            default:
                throw new ArgumentException($"not a record request: {request.GetType().Name}", nameof(request));
        }
    }
}
