using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// The forwarder's reads, on their own read-only connection: WAL lets them run beside the
/// writer and see only committed records. A row that cannot be decoded (damaged on flash in a
/// way SQLite's checks do not see) is skipped and handed to <paramref name="reportUndecodable"/>,
/// which records it as dropped and removes it: one bad row must not stall the uplink behind it.
/// </summary>
internal sealed class OutboxReader(
    SqliteConnection connection,
    SeriesCatalog series,
    Func<long, string?> bootIdOf,
    Func<RecordClass, IReadOnlyList<(long Seq, string Problem)>, CancellationToken, Task> reportUndecodable) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ValueTask<IReadOnlyList<StoredReading>> ReadReadingsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken) =>
        ReadAsync("SELECT seq, series, ts, value, flags, delay, mono, boot, reason FROM reading WHERE seq > $after ORDER BY seq LIMIT $n",
            afterSeq, maxCount, ToReading, RecordClass.Telemetry, cancellationToken);

    public ValueTask<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken) =>
        ReadAsync("""
            SELECT e.seq, e.type, e.source, e.ts, e.data, e.delay, e.mono, e.boot, EXISTS(SELECT 1 FROM snapshot s WHERE s.seq = e.seq)
            FROM event e WHERE e.seq > $after ORDER BY e.seq LIMIT $n
            """,
            afterSeq, maxCount,
            rows => new StoredEvent(rows.GetInt64(0), rows.GetString(1), rows.GetString(2), rows.GetString(4), Time(rows, 3), rows.GetInt64(8) != 0),
            RecordClass.Event, cancellationToken);

    public ValueTask<IReadOnlyList<StoredSnapshot>> ReadSnapshotsAsync(long afterEventSeq, int maxCount, CancellationToken cancellationToken) =>
        ReadAsync("SELECT seq, jpeg FROM snapshot WHERE seq > $after ORDER BY seq LIMIT $n",
            afterEventSeq, maxCount, rows => new StoredSnapshot(rows.GetInt64(0), (byte[])rows.GetValue(1)), RecordClass.Snapshot, cancellationToken);

    public (long Readings, long Events, long Snapshots) Count()
    {
        _gate.Wait();
        try
        {
            return (StoreSchema.Scalar(connection, "SELECT count(*) FROM reading"),
                    StoreSchema.Scalar(connection, "SELECT count(*) FROM event"),
                    StoreSchema.Scalar(connection, "SELECT count(*) FROM snapshot"));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Per source the type of its last stored state event (<see cref="ILastStateEvents"/>).</summary>
    public IReadOnlyDictionary<string, string> LastStateEvents()
    {
        _gate.Wait();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT substr(key, $from), value FROM meta WHERE key >= $prefix AND key < $end";
            command.Parameters.AddWithValue("$from", Store.LastStateEvents.KeyPrefix.Length + 1);
            command.Parameters.AddWithValue("$prefix", Store.LastStateEvents.KeyPrefix);
            // ':' + 1 = ';': the end of the key range that starts with the prefix, so the primary key is searched, not scanned.
            command.Parameters.AddWithValue("$end", Store.LastStateEvents.KeyPrefix[..^1] + ";");
            using var rows = command.ExecuteReader();
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            while (rows.Read())
            {
                if (rows.GetValue(1) is string type)
                {
                    result[rows.GetString(0)] = type;
                }
            }
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The measurement time of the oldest record still held (reading or event; the first dated one in
    /// seq order, so it costs two index lookups, not a scan), or null when none is dated.
    /// </summary>
    public DateTimeOffset? OldestPendingTime()
    {
        _gate.Wait();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT min(t) FROM (
                    SELECT (SELECT ts FROM reading WHERE ts IS NOT NULL ORDER BY seq LIMIT 1) AS t
                    UNION ALL SELECT (SELECT ts FROM event WHERE ts IS NOT NULL ORDER BY seq LIMIT 1))
                """;
            return command.ExecuteScalar() is long ms ? RecordRow.FromUnixMilliseconds(ms) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<IReadOnlyList<T>> ReadAsync<T>(string sql, long afterSeq, int maxCount, Func<SqliteDataReader, T> map, RecordClass recordClass, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        while (true)
        {
            var result = new List<T>();
            var undecodable = new List<(long Seq, string Problem)>();
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("$after", afterSeq);
                command.Parameters.AddWithValue("$n", maxCount);
                using var rows = command.ExecuteReader();
                while (rows.Read())
                {
                    try
                    {
                        result.Add(map(rows));
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException or OverflowException or ArgumentException)
                    {
                        undecodable.Add((rows.GetInt64(0), ex.Message)); // the seq is the rowid: always readable
                    }
                }
            }
            finally
            {
                _gate.Release();
            }
            if (undecodable.Count == 0)
            {
                return result;
            }
            await reportUndecodable(recordClass, undecodable, cancellationToken).ConfigureAwait(false);
            if (result.Count > 0)
            {
                return result;
            }
            // Only bad rows in this page: an empty answer would read as "nothing pending", so look past them.
            afterSeq = undecodable[^1].Seq;
        }
    }

    private StoredReading ToReading(SqliteDataReader rows)
    {
        var flags = rows.GetInt64(4);
        if (!series.TryGet(rows.GetInt64(1), out var s))
        {
            throw new InvalidOperationException($"reading {rows.GetInt64(0)} names unknown series {rows.GetInt64(1)}");
        }
        return new StoredReading(
            rows.GetInt64(0), s.Device, s.Point, RecordRow.Value(flags, rows, 3), s.Unit.Length == 0 ? null : s.Unit,
            RecordRow.Quality(flags), rows.IsDBNull(8) ? null : rows.GetString(8), Time(rows, 2));
    }

    public void Dispose()
    {
        connection.Dispose();
        _gate.Dispose();
    }

    // Columns at index: ts, then (after one column in between for readings' value / events' data) delay, mono, boot.
    private RecordTime Time(SqliteDataReader rows, int tsIndex)
    {
        if (!rows.IsDBNull(tsIndex))
        {
            var ts = rows.GetInt64(tsIndex);
            var stored = rows.IsDBNull(5) ? (long?)null : ts + rows.GetInt64(5);
            return new RecordTime(RecordRow.FromUnixMilliseconds(ts), null, null, stored is { } s ? RecordRow.FromUnixMilliseconds(s) : null);
        }
        var boot = rows.IsDBNull(7) ? null : bootIdOf(rows.GetInt64(7));
        return new RecordTime(null, boot, rows.IsDBNull(6) ? null : rows.GetInt64(6), null);
    }
}
