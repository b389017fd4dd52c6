using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Store;

/// <summary>
/// What the store's parts share: the writer's connection, the seq counter, the catalogs and the
/// counters readers see. Only the writer task (and <see cref="StoreRecovery"/> before it starts)
/// touches the connection; the counters are read from any thread.
/// </summary>
internal sealed class StoreContext(StoreSettings settings, TimeProvider time, IClockSync clock, ILogger logger, SqliteConnection connection, SeqHighWaterMark highWaterMark)
{
    private readonly Dictionary<string, long> _bootIds = new(StringComparer.Ordinal);
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _committedSeq;
    private long _droppedReadings;
    private long _droppedEvents;
    private long _droppedSnapshots;

    public StoreSettings Settings { get; } = settings;

    public TimeProvider Time { get; } = time;

    public IClockSync Clock { get; } = clock;

    public ILogger Logger { get; } = logger;

    public SqliteConnection Connection { get; } = connection;

    public SeqHighWaterMark HighWaterMark { get; } = highWaterMark;

    public SeriesCatalog Series { get; } = new();

    public string BootId { get; } = settings.BootId();

    /// <summary>The last seq issued; runs ahead of <see cref="CommittedSeq"/> while a batch is written. Writer only.</summary>
    public long LastSeq { get; set; }

    /// <summary>Records of this boot are stored without a time (the clock fix-up has work).</summary>
    public bool UnsyncedInThisBoot { get; set; }

    // The last seq of a committed transaction: what readers can see; never _lastSeq ahead of a commit.
    public long CommittedSeq
    {
        get => Interlocked.Read(ref _committedSeq);
        set => Interlocked.Exchange(ref _committedSeq, value);
    }

    public (long Readings, long Events, long Snapshots) Dropped =>
        (Interlocked.Read(ref _droppedReadings), Interlocked.Read(ref _droppedEvents), Interlocked.Read(ref _droppedSnapshots));

    public Task WaitForAppendAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _appended).Task.WaitAsync(cancellationToken);

    /// <summary>Wakes the forwarder: something new (or a drop it must report) is readable.</summary>
    public void SignalAppended() =>
        Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void CountDropped(string recordClass, long count)
    {
        if (recordClass == "telemetry")
        {
            Interlocked.Add(ref _droppedReadings, count);
        }
        else if (recordClass == "snapshot")
        {
            Interlocked.Add(ref _droppedSnapshots, count);
        }
        else
        {
            Interlocked.Add(ref _droppedEvents, count);
        }
    }

    /// <summary>Bytes the store occupies on disk: every file it owns (the budget covers them all).</summary>
    public long FileBytes() =>
        Length(Settings.Path) + Length(Settings.Path + "-wal") + Length(Settings.Path + "-shm") + Length(Settings.Path + ".seq");

    public static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    public SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        return command;
    }

    // Deleting the newest rows would lose the seq counter without this (it is max(seq) otherwise).
    public void SaveLastSeq(SqliteTransaction tx) =>
        StoreSchema.Execute(Connection, string.Create(CultureInfo.InvariantCulture, $"UPDATE meta SET value = {LastSeq} WHERE key = 'lastSeq'"), tx);

    /// <summary>Durably raises the high-water mark before any seq above it is committed.</summary>
    public void ReserveSeqs(SqliteTransaction tx)
    {
        if (HighWaterMark.Current is { } mark && LastSeq <= mark.ReservedThrough)
        {
            return;
        }
        var lowest = StoreSchema.Scalar(Connection,
            "SELECT min(coalesce((SELECT min(seq) FROM reading), 9223372036854775807), coalesce((SELECT min(seq) FROM event), 9223372036854775807))", tx);
        lowest = Math.Min(lowest, LastSeq + 1);
        HighWaterMark.Write(new SeqHighWaterMark.Mark(LastSeq + Settings.SeqReserveBlock, lowest));
    }

    public void LoadCatalogs()
    {
        using (var command = Connection.CreateCommand())
        {
            command.CommandText = "SELECT id, device, point, unit FROM series";
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                Series.Load(rows.GetInt64(0), rows.GetString(1), rows.GetString(2), rows.GetString(3));
            }
        }
        using (var command = Connection.CreateCommand())
        {
            command.CommandText = "SELECT id, boot_id FROM boot";
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                _bootIds[rows.GetString(1)] = rows.GetInt64(0);
            }
        }
    }

    /// <summary>The row of this boot in the boot table, if it has one yet.</summary>
    public bool TryGetCurrentBootRow(out long row)
    {
        lock (_bootIds)
        {
            return _bootIds.TryGetValue(BootId, out row);
        }
    }

    /// <summary>The row of this boot, inserted in <paramref name="tx"/> the first time.</summary>
    public long CurrentBootRow(SqliteTransaction tx)
    {
        if (TryGetCurrentBootRow(out var row))
        {
            return row;
        }
        using var command = Connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO boot(boot_id) VALUES ($b) ON CONFLICT(boot_id) DO UPDATE SET boot_id = excluded.boot_id RETURNING id";
        command.Parameters.AddWithValue("$b", BootId);
        var id = (long)command.ExecuteScalar()!;
        lock (_bootIds)
        {
            _bootIds[BootId] = id; // a rolled-back insert is re-done by the next one (the upsert is idempotent)
        }
        return id;
    }

    /// <summary>The boot identity of a boot row (the reader renders unsynced records with it).</summary>
    public string? BootIdOf(long id)
    {
        lock (_bootIds)
        {
            foreach (var (bootId, bootRow) in _bootIds)
            {
                if (bootRow == id)
                {
                    return bootId;
                }
            }
        }
        return null;
    }
}
