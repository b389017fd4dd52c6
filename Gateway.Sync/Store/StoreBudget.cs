using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Keeps every file the store owns within <c>storage.maxMegabytes</c> (see README, "Size budget"):
/// over the data budget it drops the oldest telemetry, then snapshots, then events, and records
/// each drop as a <c>buffer.dropped</c> event in the same transaction (never silently). Writer only.
/// </summary>
internal sealed class StoreBudget(StoreContext store, RecordInserter inserter)
{
    private StoreSettings Settings => store.Settings;

    /// <summary>Runs after each committed batch, before its appends return: once an append returned, the store is within its budget.</summary>
    public void Enforce()
    {
        // A reader in the way of the WAL's restart lets it grow past its reserve: restart it once the
        // readers are out, so the next batch writes from its start again. Not at the checkpoint size:
        // the batch that crosses it leaves the file longer until the WAL resets, and a RESTART after
        // every such batch cost ingest ~10 % in the store bench for nothing.
        if (StoreContext.Length(Settings.Path + "-wal") > Settings.WalReserveBytes)
        {
            StoreSchema.Execute(store.Connection, "PRAGMA wal_checkpoint(RESTART)");
        }
        if (UsedBytes() <= Settings.DataBudgetBytes)
        {
            return;
        }
        var target = Settings.DataBudgetBytes * 9 / 10;
        var drops = new Dictionary<string, (long From, long To, long Count)>(StringComparer.Ordinal);
        var firstSeq = store.LastSeq;
        try
        {
            using var tx = store.Connection.BeginTransaction();
            for (var used = UsedBytes(tx); used > target; used = UsedBytes(tx))
            {
                var excessRows = Math.Max(256, (used - target) / 32);
                if (!DropOldest(tx, "reading", "telemetry", excessRows, drops)
                    && !DropOldest(tx, "snapshot", "snapshot", Math.Max(1, excessRows / 2048), drops)
                    && !DropOldest(tx, "event", "event", Math.Max(16, excessRows / 8), drops))
                {
                    break;
                }
            }
            if (drops.Count == 0)
            {
                return; // nothing left that may be dropped (rolled back by dispose)
            }
            foreach (var (recordClass, d) in drops)
            {
                var data = string.Create(CultureInfo.InvariantCulture, $"{{\"fromSeq\":{d.From},\"toSeq\":{d.To},\"count\":{d.Count},\"class\":\"{recordClass}\",\"reason\":\"budget\"}}");
                inserter.InsertEvent(tx, GatewayEvent.Now(store.Time, "buffer.dropped", "store", data));
            }
            store.SaveLastSeq(tx);
            store.ReserveSeqs(tx);
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            store.LastSeq = firstSeq;
            Log.MaintenanceFailed(store.Logger, ex);
            return;
        }
        // The drop rewrote many pages into the WAL: fold them into the freed space now and cut the WAL back.
        StoreSchema.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        Shrink();
        foreach (var (recordClass, d) in drops)
        {
            Log.Dropped(store.Logger, d.Count, recordClass, d.From, d.To);
            store.CountDropped(recordClass, d.Count);
        }
        store.SignalAppended();
    }

    /// <summary>
    /// The main file only grows while the live pages stay within the data budget, but a file made
    /// under a larger budget (or an older reserve) keeps its free pages: give those back (at start
    /// and after a drop; between them the file cannot outgrow the data budget plus one batch).
    /// </summary>
    public void Shrink()
    {
        var pages = StoreSchema.Scalar(store.Connection, "PRAGMA page_count");
        var allowed = Settings.DataBudgetBytes / StoreSchema.PageSize + Settings.BatchPages;
        if (pages <= allowed)
        {
            return;
        }
        var free = Math.Min(StoreSchema.Scalar(store.Connection, "PRAGMA freelist_count"), pages - allowed + 16);
        if (free > 0)
        {
            StoreSchema.Execute(store.Connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({free})"));
            StoreSchema.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private long UsedBytes(SqliteTransaction? tx = null) =>
        (StoreSchema.Scalar(store.Connection, "PRAGMA page_count", tx) - StoreSchema.Scalar(store.Connection, "PRAGMA freelist_count", tx)) * StoreSchema.PageSize;

    private bool DropOldest(SqliteTransaction tx, string table, string recordClass, long rows, Dictionary<string, (long From, long To, long Count)> drops)
    {
        var kept = table == "event" ? " WHERE type <> 'buffer.dropped'" : "";
        var from = StoreSchema.Scalar(store.Connection, $"SELECT coalesce(min(seq), 0) FROM {table}{kept}", tx);
        if (from == 0)
        {
            return false;
        }
        var to = StoreSchema.Scalar(store.Connection, string.Create(CultureInfo.InvariantCulture,
            $"SELECT coalesce((SELECT seq FROM {table}{kept} ORDER BY seq LIMIT 1 OFFSET {rows - 1}), (SELECT max(seq) FROM {table}{kept}))"), tx);
        using var command = store.Connection.CreateCommand();
        command.Transaction = tx;
        // buffer.dropped events are kept: they are the record of what is gone.
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE seq <= {to}{(table == "event" ? " AND type <> 'buffer.dropped'" : "")}");
        var count = (long)command.ExecuteNonQuery();
        if (table == "event")
        {
            // An event's evidence goes with it.
            StoreSchema.Execute(store.Connection, string.Create(CultureInfo.InvariantCulture, $"DELETE FROM snapshot WHERE seq <= {to} AND seq NOT IN (SELECT seq FROM event)"), tx);
        }
        drops[recordClass] = drops.TryGetValue(recordClass, out var d) ? (d.From, to, d.Count + count) : (from, to, count);
        return true;
    }
}
