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
}
