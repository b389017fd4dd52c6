using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Writes records into the open transaction under the next seqs, with prepared commands (a
/// reading costs one bound statement). Dates each record from <see cref="IClockSync"/>, or keeps
/// its monotonic time and boot when time is not known yet (SPEC section 3).
/// </summary>
internal sealed class RecordInserter : IDisposable
{
    private readonly StoreContext _store;
    private readonly SqliteCommand _insertReading;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _insertSeries;
    private readonly SqliteCommand _noteState;

    public RecordInserter(StoreContext store)
    {
        _store = store;
        _insertReading = store.Prepare("INSERT INTO reading(seq, series, ts, value, flags, delay, mono, boot, reason) VALUES ($seq, $series, $ts, $value, $flags, $delay, $mono, $boot, $reason)",
            "$seq", "$series", "$ts", "$value", "$flags", "$delay", "$mono", "$boot", "$reason");
        _insertEvent = store.Prepare("INSERT INTO event(seq, type, source, ts, flags, delay, mono, boot, data) VALUES ($seq, $type, $source, $ts, 0, $delay, $mono, $boot, $data)",
            "$seq", "$type", "$source", "$ts", "$delay", "$mono", "$boot", "$data");
        _insertSeries = store.Prepare("INSERT INTO series(id, device, point, unit) VALUES ($id, $device, $point, $unit)", "$id", "$device", "$point", "$unit");
        _noteState = store.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ($key, $type)", "$key", "$type");
    }

    public void InsertReading(SqliteTransaction tx, in Reading reading)
    {
        var seriesId = _store.Series.GetOrAdd(reading.Device, reading.Point, reading.Unit ?? "", out var added);
        if (added)
        {
            _insertSeries.Transaction = tx;
            _insertSeries.Parameters[0].Value = seriesId;
            _insertSeries.Parameters[1].Value = reading.Device;
            _insertSeries.Parameters[2].Value = reading.Point;
            _insertSeries.Parameters[3].Value = reading.Unit ?? "";
            _insertSeries.ExecuteNonQuery();
        }
        var p = _insertReading.Parameters;
        _insertReading.Transaction = tx;
        p[0].Value = ++_store.LastSeq;
        p[1].Value = seriesId;
        SetTime(tx, p, ts: 2, delay: 5, reading.MeasuredAt, reading.Timestamp);
        p[3].Value = RecordRow.Column(reading.Value);
        p[4].Value = RecordRow.Flags(reading.Quality, reading.Value);
        p[8].Value = (object?)reading.Reason ?? DBNull.Value;
        _insertReading.ExecuteNonQuery();
    }

    public long InsertEvent(SqliteTransaction tx, GatewayEvent e)
    {
        var p = _insertEvent.Parameters;
        _insertEvent.Transaction = tx;
        var seq = ++_store.LastSeq;
        p[0].Value = seq;
        p[1].Value = e.Type;
        p[2].Value = e.Source;
        SetTime(tx, p, ts: 3, delay: 4, e.OccurredAt, e.Timestamp);
        p[7].Value = e.DataTimes is null ? e.DataJson : EventDataTimes.Date(e, _store.Clock.TimeOf(e.OccurredAt, e.Timestamp), _store);
        _insertEvent.ExecuteNonQuery();
        if (LastStateEvents.IsStateEvent(e.Type))
        {
            // In the same transaction: the event row is deleted once delivered, this note is not.
            _noteState.Transaction = tx;
            _noteState.Parameters[0].Value = LastStateEvents.KeyPrefix + e.Source;
            _noteState.Parameters[1].Value = e.Type;
            _noteState.ExecuteNonQuery();
        }
        if (!e.Snapshot.IsEmpty)
        {
            InsertSnapshot(tx, seq, e.Snapshot);
        }
        return seq;
    }

    /// <summary>Stores a snapshot under its event's seq; false when that event is not (or no longer) stored.</summary>
    public bool InsertSnapshot(SqliteTransaction tx, long eventSeq, ReadOnlyMemory<byte> jpeg)
    {
        using var command = _store.Connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT OR REPLACE INTO snapshot(seq, stored, jpeg) SELECT $seq, $stored, $jpeg WHERE EXISTS(SELECT 1 FROM event WHERE seq = $seq)";
        command.Parameters.AddWithValue("$seq", eventSeq);
        command.Parameters.AddWithValue("$stored", RecordRow.ToUnixMilliseconds(_store.Time.GetUtcNow()));
        command.Parameters.Add("$jpeg", SqliteType.Blob).Value = jpeg.ToArray();
        return command.ExecuteNonQuery() == 1;
    }

    public void Dispose()
    {
        _insertReading.Dispose();
        _insertEvent.Dispose();
        _noteState.Dispose();
        _insertSeries.Dispose();
    }

    /// <summary>
    /// Sets the ts, delay, mono and boot parameters (at <paramref name="ts"/>, then <paramref name="delay"/>..+2):
    /// a trusted time as Unix ms, an untrusted one as uptime and boot (SPEC section 3).
    /// </summary>
    private void SetTime(SqliteTransaction tx, SqliteParameterCollection p, int ts, int delay, DateTimeOffset measuredAt, long monotonic)
    {
        if (_store.Clock.TimeOf(measuredAt, monotonic) is { } known)
        {
            var measured = RecordRow.ToUnixMilliseconds(known);
            var stored = _store.Clock.TimeOf(_store.Time.GetUtcNow(), _store.Time.GetTimestamp()) ?? known;
            p[ts].Value = measured;
            p[delay].Value = Math.Max(0, RecordRow.ToUnixMilliseconds(stored) - measured);
            p[delay + 1].Value = DBNull.Value;
            p[delay + 2].Value = DBNull.Value;
        }
        else
        {
            p[ts].Value = DBNull.Value;
            p[delay].Value = DBNull.Value;
            p[delay + 1].Value = RecordRow.MonotonicMilliseconds(_store.Time, monotonic);
            p[delay + 2].Value = _store.CurrentBootRow(tx);
            _store.UnsyncedInThisBoot = true;
        }
    }
}
