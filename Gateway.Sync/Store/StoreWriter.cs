using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// The one writer task: takes what the bounded queue holds, cuts a batch at the bytes the budget
/// reserves for one, commits it in one transaction (seqs assigned inside it, so a failed commit
/// consumes none), and runs the batch's aftermath — acknowledgement flush, budget, clock fix-up —
/// before the appends return. Commit failures are counted in <see cref="StoreWriteHealth"/>.
/// </summary>
internal sealed class StoreWriter(
    StoreContext store,
    Channel<WriteRequest> requests,
    RecordInserter inserter,
    AcknowledgementLog acknowledgements,
    StoreBudget budget,
    ClockFixUp clockFixUp,
    UndecodableRows undecodable)
{
    private const int SqliteFull = 13;
    private const int DiskFullHResult = 28; // ENOSPC, as .NET reports it on Unix

    private readonly StoreWriteHealth _health = new(store.Time);

    public StoreWriteStatus Health => _health.Status;

    public async Task RunAsync()
    {
        var batch = new List<WriteRequest>();
        var reader = requests.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var records = 0;
            long bytes = 0;
            // Cut at the bytes the budget reserves for one batch (a single larger request still goes alone).
            while (records < store.Settings.MaxBatchRecords
                && reader.TryPeek(out var next)
                && (batch.Count == 0 || bytes + next.EstimatedBytes <= store.Settings.BatchReserveBytes)
                && reader.TryRead(out var request))
            {
                batch.Add(request);
                records += request.RecordCount;
                bytes += request.EstimatedBytes;
            }
            try
            {
                WriteBatch(batch);
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
            }
        }
    }

    private void WriteBatch(List<WriteRequest> batch)
    {
        var data = batch.Where(r => r is not MaintenanceRequest).ToList();
        var completions = data.Count > 0 ? Commit(data) : [];
        var maintenance = batch.OfType<MaintenanceRequest>().ToList();
        if (acknowledgements.FlushDue || maintenance.Any(m => m.FlushAcknowledgements))
        {
            acknowledgements.Flush();
        }
        if (completions.Count > 0 || maintenance.Count > 0)
        {
            // Before the appends return: once an append returned, the store is within its budget.
            budget.Enforce();
            clockFixUp.Run();
        }
        foreach (var complete in completions)
        {
            complete();
        }
        if (completions.Count > 0)
        {
            store.SignalAppended();
        }
        foreach (var m in maintenance)
        {
            m.Completion?.TrySetResult();
        }
    }

    /// <summary>Commits the requests in one transaction; returns what completes them (run once the batch's aftermath is done), none when it failed (each request failed).</summary>
    public List<Action> Commit(List<WriteRequest> batch)
    {
        var firstSeq = store.LastSeq;
        var completions = new List<Action>(batch.Count);
        var records = 0;
        try
        {
            using var tx = store.Connection.BeginTransaction();
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
            if (_health.Succeeded() is { } ended)
            {
                Log.WritesRecovered(store.Logger, store.Settings.Path, ended.ConsecutiveFailures, (store.Time.GetUtcNow() - ended.Since).TotalSeconds);
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException
            // a value the database refuses (Microsoft.Data.Sqlite throws these for unbindable values)
            or InvalidOperationException or ArgumentException or FormatException)
        {
            store.LastSeq = firstSeq; // nothing of this batch is stored: its seqs are issued again (no holes)
            store.Series.Rollback();
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
            return [];
        }
        return completions;
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
                return () => e.Completion.TrySetResult(seq);
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
