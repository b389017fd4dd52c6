using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Store;

/// <summary>
/// The durable store (SPEC section 2.3, issue 3): one writer task owns the write connection and
/// group-commits whatever the bounded queue holds in one transaction; seqs are assigned inside
/// it, so a failed transaction consumes none (no holes). After each commit it enforces the size
/// budget, fixes timestamps once the clock is trusted and flushes acknowledgements in batches.
/// </summary>
internal sealed class SqliteRecordStore : IRecordStore, IOutbox, IAsyncDisposable, IDisposable
{
    private const int SqliteFull = 13;
    private const int DiskFullHResult = 28; // ENOSPC, as .NET reports it on Unix

    private readonly StoreSettings _settings;
    private readonly TimeProvider _time;
    private readonly IClockSync _clock;
    private readonly ILogger _logger;
    private readonly SqliteConnection _connection;
    private readonly SeqHighWaterMark _highWaterMark;
    private readonly SeriesCatalog _series = new();
    private readonly StoreWriteHealth _writeHealth;
    private readonly Dictionary<string, long> _bootIds = new(StringComparer.Ordinal);
    private readonly OutboxReader _reader;
    private readonly Channel<WriteRequest> _queue;
    private Task _writer = Task.CompletedTask;
    private ITimer? _maintenanceTimer;
    private readonly string _bootId;
    private readonly Lock _ackGate = new();
    private readonly Dictionary<RecordClass, List<long>> _pendingAcks = new()
    {
        [RecordClass.Event] = [],
        [RecordClass.Snapshot] = [],
        [RecordClass.Telemetry] = [],
    };
    private readonly SqliteCommand _insertReading;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _insertSeries;
    private int _pendingAckCount;
    private long _lastSeq;

    // The last seq of a committed transaction: what readers can see. _lastSeq runs ahead of it
    // while a batch is being written, and must never be shown as "stored".
    private long _committedSeq;
    private bool _unsyncedInThisBoot;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _droppedReadings;
    private long _droppedEvents;
    private long _droppedSnapshots;
    private int _disposed;

    // Seqs the reader found undecodable and handed over: each is reported once (a reader may meet it again before it is deleted).
    private readonly HashSet<(RecordClass, long)> _undecodable = [];

    private SqliteRecordStore(StoreSettings settings, TimeProvider time, IClockSync clock, ILogger logger, SqliteConnection connection, SeqHighWaterMark highWaterMark)
    {
        _settings = settings;
        _time = time;
        _clock = clock;
        _logger = logger;
        _connection = connection;
        _highWaterMark = highWaterMark;
        _bootId = settings.BootId();
        _writeHealth = new StoreWriteHealth(time);
        _insertReading = Prepare("INSERT INTO reading(seq, series, ts, value, flags, delay, mono, boot, reason) VALUES ($seq, $series, $ts, $value, $flags, $delay, $mono, $boot, $reason)",
            "$seq", "$series", "$ts", "$value", "$flags", "$delay", "$mono", "$boot", "$reason");
        _insertEvent = Prepare("INSERT INTO event(seq, type, source, ts, flags, delay, mono, boot, data) VALUES ($seq, $type, $source, $ts, 0, $delay, $mono, $boot, $data)",
            "$seq", "$type", "$source", "$ts", "$delay", "$mono", "$boot", "$data");
        _insertSeries = Prepare("INSERT INTO series(id, device, point, unit) VALUES ($id, $device, $point, $unit)", "$id", "$device", "$point", "$unit");
        LoadCatalogs();
        _reader = new OutboxReader(StoreSchema.Open(settings.Path, readOnly: true), _series, this.BootIdOf, ReportUndecodableAsync);
        _queue = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // backpressure: producers wait for the disk
        });
    }

    /// <summary>Opens (checking, and if need be quarantining) the store at <see cref="StoreSettings.Path"/>.</summary>
    /// <exception cref="StoreUnavailableException">The path cannot hold a store (with the path and the OS reason).</exception>
    public static SqliteRecordStore Open(StoreSettings settings, TimeProvider time, IClockSync clock, ILogger logger)
    {
        SQLitePCL.Batteries_V2.Init();
        var path = System.IO.Path.GetFullPath(settings.Path);
        var markPath = settings.Path + ".seq";
        var markExisted = File.Exists(markPath);
        if (Directory.Exists(path))
        {
            throw new StoreUnavailableException(path, "it is a directory; " + StoreUnavailableException.IsDirectoryReason, null);
        }
        var directory = System.IO.Path.GetDirectoryName(path)!;
        SeqHighWaterMark highWaterMark;
        try
        {
            Directory.CreateDirectory(directory);
            // The mark's file lock comes first: never inspect, let alone quarantine, a store another process has open.
            highWaterMark = SeqHighWaterMark.Open(markPath);
        }
        catch (StoreInUseException e)
        {
            throw new StoreUnavailableException(path, "it is in use by another gateway process (its .seq file is locked); stop that one first", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(path, $"cannot write in {directory}: {StoreUnavailableException.OsReason(e)}", e);
        }
        SqliteConnection? connection = null;
        try
        {
            var quarantine = StoreFileCheck.Run(settings.Path, time.GetUtcNow());
            var existed = File.Exists(settings.Path);
            connection = StoreSchema.Open(settings.Path, readOnly: false);
            var fresh = !existed || StoreSchema.IsEmpty(connection);
            if (fresh)
            {
                StoreSchema.Create(connection);
            }
            StoreSchema.Configure(connection, settings.Durability, settings.WalCheckpointPages, settings.WalCheckpointBytes, settings.MaxPageCount);
            var store = new SqliteRecordStore(settings, time, clock, logger, connection, highWaterMark);
            store.Start(fresh, quarantine);
            return store;
        }
        catch (Exception e)
        {
            connection?.Dispose();
            highWaterMark.Dispose();
            if (!markExisted && !File.Exists(path))
            {
                File.Delete(markPath); // nothing was stored: leave nothing behind
            }
            if (e is SqliteException { SqliteErrorCode: 14 } or IOException or UnauthorizedAccessException)
            {
                throw new StoreUnavailableException(path, $"SQLite cannot open it ({(e is SqliteException s ? s.Message : StoreUnavailableException.OsReason(e))})", e);
            }
            throw;
        }
    }

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

    public void Acknowledge(RecordClass recordClass, long seq) => Acknowledge(recordClass, [seq]);

    public void Acknowledge(RecordClass recordClass, IEnumerable<long> seqs)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        bool due;
        lock (_ackGate)
        {
            var list = _pendingAcks[recordClass];
            var before = list.Count;
            list.AddRange(seqs);
            _pendingAckCount += list.Count - before;
            due = _pendingAckCount >= _settings.AckFlushCount;
        }
        if (due)
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

    public Task WaitForAppendAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _appended).Task.WaitAsync(cancellationToken);

    public string BootId => _bootId;

    public StoreWriteStatus WriteStatus => _writeHealth.Status;

    public StoreStatistics GetStatistics()
    {
        var counts = _reader.Count();
        return new StoreStatistics(
            Interlocked.Read(ref _committedSeq), counts.Readings, counts.Events, counts.Snapshots,
            FileBytes(), _settings.BudgetBytes,
            Interlocked.Read(ref _droppedReadings), Interlocked.Read(ref _droppedEvents), Interlocked.Read(ref _droppedSnapshots),
            _writeHealth.Status);
    }

    /// <summary>Bytes the store occupies on disk: every file it owns (the budget covers them all).</summary>
    public long FileBytes() =>
        Length(_settings.Path) + Length(_settings.Path + "-wal") + Length(_settings.Path + "-shm") + Length(_settings.Path + ".seq");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _clock.Synchronized -= OnClockSynchronized;
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
        await _writer.ConfigureAwait(false);
        try
        {
            SetRunMarker(clean: true);
        }
        catch (SqliteException ex)
        {
            Log.MaintenanceFailed(_logger, ex); // next start treats this run as unclean: safe
        }
        _reader.Dispose();
        _insertReading.Dispose();
        _insertEvent.Dispose();
        _insertSeries.Dispose();
        _connection.Dispose();
        _highWaterMark.Dispose();
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
        var mark = _highWaterMark.Current;
        var stored = Math.Max(
            StoreSchema.Scalar(_connection, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'lastSeq'"),
            StoreSchema.Scalar(_connection, "SELECT max(coalesce((SELECT max(seq) FROM reading), 0), coalesce((SELECT max(seq) FROM event), 0))"));
        _lastSeq = stored;
        _unsyncedInThisBoot = _bootIds.TryGetValue(_bootId, out var boot)
            && StoreSchema.Scalar(_connection, string.Create(CultureInfo.InvariantCulture, $"SELECT EXISTS(SELECT 1 FROM reading WHERE ts IS NULL AND boot = {boot}) OR EXISTS(SELECT 1 FROM event WHERE ts IS NULL AND boot = {boot})")) != 0;

        // A fresh store where seqs were issued before: continue above everything the old one may
        // have issued, and say which seqs may be lost (SPEC section 3: never reused, gaps named).
        string? resetData = null;
        if (fresh && (quarantine is not null || mark is { ReservedThrough: > 0 }))
        {
            if (mark is { } m && m.ReservedThrough > _lastSeq)
            {
                _lastSeq = m.ReservedThrough;
            }
            resetData = GapEventData(mark?.LowestUnacknowledged, mark?.ReservedThrough, "store-reset",
                quarantine?.Problem ?? "store file missing", quarantine is null ? null : System.IO.Path.GetFileName(quarantine.MovedTo));
            if (quarantine is not null)
            {
                Log.Quarantined(_logger, _settings.Path, quarantine.Problem, quarantine.MovedTo, _lastSeq);
            }
            else
            {
                Log.StoreMissing(_logger, _settings.Path, _lastSeq);
            }
        }
        else if (_settings.Durability == StoreDurability.Relaxed && mark is { } rm && rm.ReservedThrough > _lastSeq && UncleanRunOnAnotherBoot())
        {
            // Relaxed durability and the machine went down with us (power cut): commits after the
            // last fsync are gone, and their seqs may have been delivered. Never reuse them.
            resetData = GapEventData(_lastSeq + 1, rm.ReservedThrough, "power-loss", "unclean shutdown with relaxed durability", null);
            Log.RelaxedPowerLoss(_logger, _settings.Path, _lastSeq + 1, rm.ReservedThrough);
            _lastSeq = rm.ReservedThrough;
        }
        SetRunMarker(clean: false);
        ShrinkToBudget();
        var counts = _reader.Count();
        _committedSeq = _lastSeq;
        Log.Opened(_logger, _settings.Path, _lastSeq, counts.Readings, counts.Events, _settings.BudgetBytes, _settings.Durability);
        if (resetData is not null)
        {
            // Committed before Open returns: the reset is on record before anything else is stored.
            var reset = new EventRequest(GatewayEvent.Now(_time, "buffer.dropped", "store", resetData));
            if (CommitRecords([reset]).Count == 0)
            {
                throw new StoreWriteException($"store {_settings.Path}: could not record the store reset", reset.Completion.Task.Exception!.InnerException!);
            }
        }
        _writer = Task.Run(WriteLoopAsync);
        _maintenanceTimer = _time.CreateTimer(_ => _queue.Writer.TryWrite(new MaintenanceRequest(flushAcknowledgements: true, null)), null, _settings.AckFlushInterval, _settings.AckFlushInterval);
        _clock.Synchronized += OnClockSynchronized;
    }

    /// <summary>The data of a <c>buffer.dropped</c> event for seqs that may be lost (an upper bound: some may have been delivered).</summary>
    private static string GapEventData(long? fromSeq, long? toSeq, string reason, string problem, string? quarantinedAs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            if (fromSeq is { } from && toSeq is { } to && to >= from)
            {
                json.WriteNumber("fromSeq", from);
                json.WriteNumber("toSeq", to);
                json.WriteNumber("count", to - from + 1);
            }
            else
            {
                json.WriteNull("fromSeq");
                json.WriteNull("toSeq");
                json.WriteNull("count");
            }
            json.WriteString("reason", reason);
            json.WriteBoolean("exact", false);
            json.WriteString("problem", problem);
            if (quarantinedAs is not null)
            {
                json.WriteString("quarantinedAs", quarantinedAs);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private bool UncleanRunOnAnotherBoot()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT (SELECT value FROM meta WHERE key = 'boot'), (SELECT value FROM meta WHERE key = 'clean')";
        using var row = command.ExecuteReader();
        row.Read();
        return !row.IsDBNull(0) && row.GetString(0) != _bootId && !row.IsDBNull(1) && row.GetInt64(1) == 0;
    }

    /// <summary>Records whether this run ends cleanly, fsynced whatever the durability (relaxed mode relies on it).</summary>
    private void SetRunMarker(bool clean)
    {
        var synchronous = _settings.Durability == StoreDurability.Fsync ? "FULL" : "NORMAL";
        StoreSchema.Execute(_connection, "PRAGMA synchronous=FULL");
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ('boot', $boot), ('clean', $clean)";
            command.Parameters.AddWithValue("$boot", _bootId);
            command.Parameters.AddWithValue("$clean", clean ? 1 : 0);
            command.ExecuteNonQuery();
        }
        StoreSchema.Execute(_connection, $"PRAGMA synchronous={synchronous}");
    }

    private void LoadCatalogs()
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT id, device, point, unit FROM series";
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                _series.Load(rows.GetInt64(0), rows.GetString(1), rows.GetString(2), rows.GetString(3));
            }
        }
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT id, boot_id FROM boot";
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                _bootIds[rows.GetString(1)] = rows.GetInt64(0);
            }
        }
    }

    private string? BootIdOf(long id)
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

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        return command;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteRequest>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var records = 0;
            long bytes = 0;
            // Cut at the bytes the budget reserves for one batch (a single larger request still goes alone).
            while (records < _settings.MaxBatchRecords
                && _queue.Reader.TryPeek(out var next)
                && (batch.Count == 0 || bytes + next.EstimatedBytes <= _settings.BatchReserveBytes)
                && _queue.Reader.TryRead(out var request))
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
                Log.MaintenanceFailed(_logger, ex);
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
        var completions = data.Count > 0 ? CommitRecords(data) : [];
        var maintenance = batch.OfType<MaintenanceRequest>().ToList();
        bool flushDue;
        lock (_ackGate)
        {
            flushDue = _pendingAckCount >= _settings.AckFlushCount;
        }
        if (maintenance.Count > 0 || flushDue)
        {
            if (flushDue || maintenance.Any(m => m.FlushAcknowledgements))
            {
                FlushAcknowledgements();
            }
        }
        if (completions.Count > 0 || maintenance.Count > 0)
        {
            // Before the appends return: once an append returned, the store is within its budget.
            EnforceBudget();
            FixClock();
        }
        foreach (var complete in completions)
        {
            complete();
        }
        if (completions.Count > 0)
        {
            Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        foreach (var m in maintenance)
        {
            m.Completion?.TrySetResult();
        }
    }

    /// <summary>Commits the requests in one transaction; returns what completes them (run once the batch's aftermath is done).</summary>
    private List<Action> CommitRecords(List<WriteRequest> requests)
    {
        var firstSeq = _lastSeq;
        var completions = new List<Action>(requests.Count);
        var records = 0;
        try
        {
            using var tx = _connection.BeginTransaction();
            foreach (var request in requests)
            {
                switch (request)
                {
                    case ReadingsRequest r:
                        var first = _lastSeq + 1;
                        foreach (var reading in r.Readings)
                        {
                            InsertReading(tx, reading);
                        }
                        var range = new SeqRange(first, _lastSeq);
                        completions.Add(() => r.Completion.TrySetResult(range));
                        records += r.Readings.Count;
                        break;
                    case EventRequest e:
                        var seq = InsertEvent(tx, e.Event);
                        completions.Add(() => e.Completion.TrySetResult(seq));
                        records++;
                        break;
                    case UndecodableRequest u:
                        completions.Add(DropUndecodable(tx, u));
                        records += u.RecordCount;
                        break;
                    case SnapshotRequest s:
                        if (InsertSnapshot(tx, s.EventSeq, s.Jpeg))
                        {
                            completions.Add(() => s.Completion.TrySetResult());
                        }
                        else
                        {
                            completions.Add(() => s.Completion.TrySetException(new InvalidOperationException(
                                $"event {s.EventSeq} is not stored (never, or already delivered or dropped); its snapshot was not kept")));
                        }
                        break;
                }
            }
            ReserveSeqs(tx);
            if (_settings.CommitFault?.Invoke() is { } fault)
            {
                throw fault;
            }
            tx.Commit();
            _series.Commit();
            Interlocked.Exchange(ref _committedSeq, _lastSeq);
            if (_writeHealth.Succeeded() is { } ended)
            {
                Log.WritesRecovered(_logger, _settings.Path, ended.ConsecutiveFailures, (_time.GetUtcNow() - ended.Since).TotalSeconds);
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException
            // a value the database refuses (Microsoft.Data.Sqlite throws these for unbindable values)
            or InvalidOperationException or ArgumentException or FormatException)
        {
            _lastSeq = firstSeq; // nothing of this batch is stored: its seqs are issued again (no holes)
            _series.Rollback();
            var full = ex is SqliteException { SqliteErrorCode: SqliteFull } || ex.HResult == DiskFullHResult;
            var error = new StoreWriteException(
                full ? $"store {_settings.Path} is full (disk or file system limit): the record was not stored; records stored before are kept"
                     : $"store {_settings.Path} could not write: {ex.Message}",
                full, ex);
            // Once per streak, with the cause; a writer retried every second must not fill the journal.
            if (_writeHealth.Failed(full, error.Message))
            {
                Log.WriteFailed(_logger, ex, records, full);
            }
            foreach (var request in requests)
            {
                request.Fail(error);
            }
            return [];
        }
        return completions;
    }

    /// <summary>Hands rows the reader could not decode to the writer, which drops and reports them; never throws but for cancellation.</summary>
    private async Task ReportUndecodableAsync(RecordClass recordClass, IReadOnlyList<(long Seq, string Problem)> rows, CancellationToken cancellationToken)
    {
        List<(long Seq, string Problem)> fresh;
        lock (_undecodable)
        {
            fresh = rows.Where(r => _undecodable.Add((recordClass, r.Seq))).ToList();
        }
        if (fresh.Count == 0)
        {
            return;
        }
        var request = new UndecodableRequest(recordClass, fresh);
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            await request.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or StoreWriteException or SqliteException)
        {
            // Not on record yet: the next read that meets these rows tries again. The reader skips them meanwhile.
            Log.MaintenanceFailed(_logger, ex);
            lock (_undecodable)
            {
                fresh.ForEach(r => _undecodable.Remove((recordClass, r.Seq)));
            }
        }
    }

    /// <summary>Deletes undecodable rows and stores a <c>buffer.dropped</c> event per run of consecutive seqs (SPEC section 3: no silent loss).</summary>
    private Action DropUndecodable(SqliteTransaction tx, UndecodableRequest request)
    {
        var (table, className) = request.RecordClass switch
        {
            RecordClass.Telemetry => ("reading", "telemetry"),
            RecordClass.Snapshot => ("snapshot", "snapshot"),
            _ => ("event", "event"),
        };
        using var delete = _connection.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = $"DELETE FROM {table} WHERE seq = $seq";
        var seqParameter = delete.Parameters.Add("$seq", SqliteType.Integer);
        var runs = new List<(long From, long To, long Count, string Problem)>();
        foreach (var (seq, problem) in request.Rows.OrderBy(r => r.Seq))
        {
            seqParameter.Value = seq;
            if (delete.ExecuteNonQuery() == 0)
            {
                continue; // already gone (acknowledged or dropped for the budget, which reported it)
            }
            if (runs.Count > 0 && runs[^1].To == seq - 1)
            {
                runs[^1] = (runs[^1].From, seq, runs[^1].Count + 1, runs[^1].Problem);
            }
            else
            {
                runs.Add((seq, seq, 1, problem));
            }
        }
        foreach (var run in runs)
        {
            InsertEvent(tx, GatewayEvent.Now(_time, "buffer.dropped", "store", UndecodableEventData(run.From, run.To, run.Count, className, run.Problem)));
        }
        SaveLastSeq(tx);
        return () =>
        {
            foreach (var run in runs)
            {
                Log.Undecodable(_logger, _settings.Path, run.Count, className, run.Problem, run.From, run.To);
                CountDropped(className, run.Count);
            }
            request.Completion.TrySetResult();
        };
    }

    private static string UndecodableEventData(long from, long to, long count, string recordClass, string problem)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("fromSeq", from);
            json.WriteNumber("toSeq", to);
            json.WriteNumber("count", count);
            json.WriteString("class", recordClass);
            json.WriteString("reason", "undecodable");
            json.WriteString("problem", problem);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void InsertReading(SqliteTransaction tx, Reading reading)
    {
        var seriesId = _series.GetOrAdd(reading.Device, reading.Point, reading.Unit ?? "", out var added);
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
        p[0].Value = ++_lastSeq;
        p[1].Value = seriesId;
        SetTime(tx, p, ts: 2, delay: 5, reading.MeasuredAt, reading.Timestamp);
        p[3].Value = RecordRow.Column(reading.Value);
        p[4].Value = RecordRow.Flags(reading.Quality, reading.Value);
        p[8].Value = (object?)reading.Reason ?? DBNull.Value;
        _insertReading.ExecuteNonQuery();
    }

    private long InsertEvent(SqliteTransaction tx, GatewayEvent e)
    {
        var p = _insertEvent.Parameters;
        _insertEvent.Transaction = tx;
        var seq = ++_lastSeq;
        p[0].Value = seq;
        p[1].Value = e.Type;
        p[2].Value = e.Source;
        SetTime(tx, p, ts: 3, delay: 4, e.OccurredAt, e.Timestamp);
        p[7].Value = e.DataJson;
        _insertEvent.ExecuteNonQuery();
        if (!e.Snapshot.IsEmpty)
        {
            InsertSnapshot(tx, seq, e.Snapshot);
        }
        return seq;
    }

    private bool InsertSnapshot(SqliteTransaction tx, long eventSeq, ReadOnlyMemory<byte> jpeg)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT OR REPLACE INTO snapshot(seq, stored, jpeg) SELECT $seq, $stored, $jpeg WHERE EXISTS(SELECT 1 FROM event WHERE seq = $seq)";
        command.Parameters.AddWithValue("$seq", eventSeq);
        command.Parameters.AddWithValue("$stored", RecordRow.ToUnixMilliseconds(_time.GetUtcNow()));
        command.Parameters.Add("$jpeg", SqliteType.Blob).Value = jpeg.ToArray();
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Sets the ts, delay, mono and boot parameters (at <paramref name="ts"/>, then <paramref name="delay"/>..+2):
    /// a trusted time as Unix ms, an untrusted one as uptime and boot (SPEC section 3).
    /// </summary>
    private void SetTime(SqliteTransaction tx, SqliteParameterCollection p, int ts, int delay, DateTimeOffset measuredAt, long monotonic)
    {
        if (_clock.TimeOf(measuredAt, monotonic) is { } known)
        {
            var measured = RecordRow.ToUnixMilliseconds(known);
            var stored = _clock.TimeOf(_time.GetUtcNow(), _time.GetTimestamp()) ?? known;
            p[ts].Value = measured;
            p[delay].Value = Math.Max(0, RecordRow.ToUnixMilliseconds(stored) - measured);
            p[delay + 1].Value = DBNull.Value;
            p[delay + 2].Value = DBNull.Value;
        }
        else
        {
            p[ts].Value = DBNull.Value;
            p[delay].Value = DBNull.Value;
            p[delay + 1].Value = RecordRow.MonotonicMilliseconds(_time, monotonic);
            p[delay + 2].Value = CurrentBootRow(tx);
            _unsyncedInThisBoot = true;
        }
    }

    private long CurrentBootRow(SqliteTransaction tx)
    {
        lock (_bootIds)
        {
            if (_bootIds.TryGetValue(_bootId, out var row))
            {
                return row;
            }
        }
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO boot(boot_id) VALUES ($b) ON CONFLICT(boot_id) DO UPDATE SET boot_id = excluded.boot_id RETURNING id";
        command.Parameters.AddWithValue("$b", _bootId);
        var id = (long)command.ExecuteScalar()!;
        lock (_bootIds)
        {
            _bootIds[_bootId] = id; // a rolled-back insert is re-done by the next one (the upsert is idempotent)
        }
        return id;
    }

    /// <summary>Durably raises the high-water mark before any seq above it is committed.</summary>
    private void ReserveSeqs(SqliteTransaction tx)
    {
        if (_highWaterMark.Current is { } mark && _lastSeq <= mark.ReservedThrough)
        {
            return;
        }
        var lowest = StoreSchema.Scalar(_connection,
            "SELECT min(coalesce((SELECT min(seq) FROM reading), 9223372036854775807), coalesce((SELECT min(seq) FROM event), 9223372036854775807))", tx);
        lowest = Math.Min(lowest, _lastSeq + 1);
        _highWaterMark.Write(new SeqHighWaterMark.Mark(_lastSeq + _settings.SeqReserveBlock, lowest));
    }

    private void FlushAcknowledgements()
    {
        Dictionary<RecordClass, long[]> acks;
        lock (_ackGate)
        {
            if (_pendingAckCount == 0)
            {
                return;
            }
            acks = _pendingAcks.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            foreach (var list in _pendingAcks.Values)
            {
                list.Clear();
            }
            _pendingAckCount = 0;
        }
        using (var tx = _connection.BeginTransaction())
        {
            Delete(tx, "reading", acks[RecordClass.Telemetry]);
            Delete(tx, "event", acks[RecordClass.Event]);
            Delete(tx, "snapshot", acks[RecordClass.Snapshot]);
            SaveLastSeq(tx);
            tx.Commit();
        }
        ReclaimSpace();
    }

    private void Delete(SqliteTransaction tx, string table, long[] seqs)
    {
        if (seqs.Length == 0)
        {
            return;
        }
        // Runs of consecutive acknowledged seqs go in one range delete: every seq of such a run is
        // acknowledged, so the range cannot catch a record that is not.
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"DELETE FROM {table} WHERE seq BETWEEN $from AND $to";
        var from = command.Parameters.Add("$from", SqliteType.Integer);
        var to = command.Parameters.Add("$to", SqliteType.Integer);
        Array.Sort(seqs);
        for (var i = 0; i < seqs.Length;)
        {
            var j = i;
            while (j + 1 < seqs.Length && seqs[j + 1] <= seqs[j] + 1)
            {
                j++;
            }
            from.Value = seqs[i];
            to.Value = seqs[j];
            command.ExecuteNonQuery();
            i = j + 1;
        }
    }

    // Deleting the newest rows would lose the seq counter without this (it is max(seq) otherwise).
    private void SaveLastSeq(SqliteTransaction tx) =>
        StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"UPDATE meta SET value = {_lastSeq} WHERE key = 'lastSeq'"), tx);

    /// <summary>Gives free pages back to the file system after a drain (issue 3: space reclaimed).</summary>
    private void ReclaimSpace()
    {
        var pages = StoreSchema.Scalar(_connection, "PRAGMA page_count");
        var free = StoreSchema.Scalar(_connection, "PRAGMA freelist_count");
        if (free >= 16 && free * 4 >= pages) // a quarter free: worth moving pages for
        {
            StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({free})"));
        }
    }

    private long UsedBytes(SqliteTransaction? tx = null) =>
        (StoreSchema.Scalar(_connection, "PRAGMA page_count", tx) - StoreSchema.Scalar(_connection, "PRAGMA freelist_count", tx)) * StoreSchema.PageSize;

    /// <summary>
    /// Over budget: drop the oldest telemetry, then the oldest snapshots, then the oldest events,
    /// down to 90 % of the budget, and store a <c>buffer.dropped</c> event per class naming the
    /// exact seq range and count, in the same transaction (never silently).
    /// </summary>
    private void EnforceBudget()
    {
        // A reader in the way of the WAL's restart lets it grow past its reserve: restart it once the
        // readers are out, so the next batch writes from its start again. Not at the checkpoint size:
        // the batch that crosses it leaves the file longer until the WAL resets, and a RESTART after
        // every such batch cost ingest ~10 % in the store bench for nothing.
        if (Length(_settings.Path + "-wal") > _settings.WalReserveBytes)
        {
            StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(RESTART)");
        }
        if (UsedBytes() <= _settings.DataBudgetBytes)
        {
            return;
        }
        var target = _settings.DataBudgetBytes * 9 / 10;
        var drops = new Dictionary<string, (long From, long To, long Count)>(StringComparer.Ordinal);
        var firstSeq = _lastSeq;
        try
        {
            using var tx = _connection.BeginTransaction();
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
                InsertEvent(tx, GatewayEvent.Now(_time, "buffer.dropped", "store", data));
            }
            SaveLastSeq(tx);
            ReserveSeqs(tx);
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            _lastSeq = firstSeq;
            Log.MaintenanceFailed(_logger, ex);
            return;
        }
        // The drop rewrote many pages into the WAL: fold them into the freed space now and cut the WAL back.
        StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        ShrinkToBudget();
        foreach (var (recordClass, d) in drops)
        {
            Log.Dropped(_logger, d.Count, recordClass, d.From, d.To);
            CountDropped(recordClass, d.Count);
        }
        Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private void CountDropped(string recordClass, long count)
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

    /// <summary>
    /// The main file only grows while the live pages stay within the data budget, but a file made
    /// under a larger budget (or an older reserve) keeps its free pages: give those back (at start
    /// and after a drop; between them the file cannot outgrow the data budget plus one batch).
    /// </summary>
    private void ShrinkToBudget()
    {
        var pages = StoreSchema.Scalar(_connection, "PRAGMA page_count");
        var allowed = _settings.DataBudgetBytes / StoreSchema.PageSize + _settings.BatchPages;
        if (pages <= allowed)
        {
            return;
        }
        var free = Math.Min(StoreSchema.Scalar(_connection, "PRAGMA freelist_count"), pages - allowed + 16);
        if (free > 0)
        {
            StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({free})"));
            StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private bool DropOldest(SqliteTransaction tx, string table, string recordClass, long rows, Dictionary<string, (long From, long To, long Count)> drops)
    {
        var kept = table == "event" ? " WHERE type <> 'buffer.dropped'" : "";
        var from = StoreSchema.Scalar(_connection, $"SELECT coalesce(min(seq), 0) FROM {table}{kept}", tx);
        if (from == 0)
        {
            return false;
        }
        var to = StoreSchema.Scalar(_connection, string.Create(CultureInfo.InvariantCulture,
            $"SELECT coalesce((SELECT seq FROM {table}{kept} ORDER BY seq LIMIT 1 OFFSET {rows - 1}), (SELECT max(seq) FROM {table}{kept}))"), tx);
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        // buffer.dropped events are kept: they are the record of what is gone.
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE seq <= {to}{(table == "event" ? " AND type <> 'buffer.dropped'" : "")}");
        var count = (long)command.ExecuteNonQuery();
        if (table == "event")
        {
            // An event's evidence goes with it.
            StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"DELETE FROM snapshot WHERE seq <= {to} AND seq NOT IN (SELECT seq FROM event)"), tx);
        }
        drops[recordClass] = drops.TryGetValue(recordClass, out var d) ? (d.From, to, d.Count + count) : (from, to, count);
        return true;
    }

    /// <summary>
    /// Once time is known, dates the records of this boot measured before (SPEC section 3) — from
    /// their monotonic time, so a wall clock that is still at 1970 does not matter. A record that
    /// would be dated before the floor stays unsynced.
    /// </summary>
    private void FixClock()
    {
        var timestamp = _time.GetTimestamp();
        if (!_unsyncedInThisBoot || _clock.TimeOf(_time.GetUtcNow(), timestamp) is not { } now)
        {
            return;
        }
        long boot;
        lock (_bootIds)
        {
            if (!_bootIds.TryGetValue(_bootId, out boot))
            {
                _unsyncedInThisBoot = false;
                return;
            }
        }
        var offset = RecordRow.ToUnixMilliseconds(now) - RecordRow.MonotonicMilliseconds(_time, timestamp);
        long fixedRows = 0;
        using (var tx = _connection.BeginTransaction())
        {
            foreach (var table in (string[])["reading", "event"])
            {
                using var command = _connection.CreateCommand();
                command.Transaction = tx;
                command.CommandText = $"UPDATE {table} SET ts = mono + $offset, mono = NULL, boot = NULL WHERE ts IS NULL AND boot = $boot AND mono + $offset >= $floor";
                command.Parameters.AddWithValue("$offset", offset);
                command.Parameters.AddWithValue("$floor", RecordRow.ToUnixMilliseconds(_clock.Floor));
                command.Parameters.AddWithValue("$boot", boot);
                fixedRows += command.ExecuteNonQuery();
            }
            tx.Commit();
        }
        _unsyncedInThisBoot = false;
        Log.ClockFixed(_logger, fixedRows);
    }

    private static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
