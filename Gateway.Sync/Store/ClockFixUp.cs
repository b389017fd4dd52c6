namespace Gateway.Sync.Store;

/// <summary>
/// Once time is known, dates the records of this boot measured before (SPEC section 3) — from
/// their monotonic time, so a wall clock that is still at 1970 does not matter. A record that
/// would be dated before the floor stays unsynced. Writer only.
/// </summary>
internal sealed class ClockFixUp(StoreContext store)
{
    public void Run()
    {
        var timestamp = store.Time.GetTimestamp();
        if (!store.UnsyncedInThisBoot || store.Clock.TimeOf(store.Time.GetUtcNow(), timestamp) is not { } now)
        {
            return;
        }
        if (!store.TryGetCurrentBootRow(out var boot))
        {
            store.UnsyncedInThisBoot = false;
            return;
        }
        var offset = RecordRow.ToUnixMilliseconds(now) - RecordRow.MonotonicMilliseconds(store.Time, timestamp);
        long fixedRows = 0;
        using (var tx = store.Connection.BeginTransaction())
        {
            FixDataTimes(tx, boot, offset);
            foreach (var table in (string[])["reading", "event"])
            {
                using var command = store.Connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = $"UPDATE {table} SET ts = mono + $offset, mono = NULL, boot = NULL WHERE ts IS NULL AND boot = $boot AND mono + $offset >= $floor";
                command.Parameters.AddWithValue("$offset", offset);
                command.Parameters.AddWithValue("$floor", RecordRow.ToUnixMilliseconds(store.Clock.Floor));
                command.Parameters.AddWithValue("$boot", boot);
                fixedRows += command.ExecuteNonQuery();
            }
            tx.Commit();
        }
        store.UnsyncedInThisBoot = false;
        Log.ClockFixed(store.Logger, fixedRows);
    }

    /// <summary>The time fields inside the data of the events about to be dated (<see cref="EventDataTimes"/>), with the same offset.</summary>
    private void FixDataTimes(Microsoft.Data.Sqlite.SqliteTransaction tx, long boot, long offset)
    {
        var changes = new List<(long Seq, string Data)>();
        using (var select = store.Connection.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = "SELECT seq, data FROM event WHERE ts IS NULL AND boot = $boot AND mono + $offset >= $floor AND instr(data, 'UptimeMs\"') > 0";
            select.Parameters.AddWithValue("$boot", boot);
            select.Parameters.AddWithValue("$offset", offset);
            select.Parameters.AddWithValue("$floor", RecordRow.ToUnixMilliseconds(store.Clock.Floor));
            using var rows = select.ExecuteReader();
            while (rows.Read())
            {
                if (EventDataTimes.Fix(rows.GetString(1), offset, store.Clock.Floor) is { } data)
                {
                    changes.Add((rows.GetInt64(0), data));
                }
            }
        }
        foreach (var (seq, data) in changes)
        {
            using var update = store.Connection.CreateCommand();
            update.Transaction = tx;
            update.CommandText = "UPDATE event SET data = $data WHERE seq = $seq";
            update.Parameters.AddWithValue("$data", data);
            update.Parameters.AddWithValue("$seq", seq);
            update.ExecuteNonQuery();
        }
    }
}
