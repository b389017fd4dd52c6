using System.Diagnostics;
using System.Globalization;
using Gateway.Sync;
using Gateway.Sync.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Store;

/// <summary>
/// Issue 3 benchmark: durable ingest readings/s (fsync and relaxed), bytes on disk per reading
/// and drain throughput, each against a reference measured in the same run (naive SQLite with
/// one commit per row, a raw append-and-fsync file, a plain row-per-reading table, a bare scan).
/// </summary>
public sealed class StoreBenchCommand : IBenchCommand
{
    private const int Series = 20; // a typical pole: 20 points

    public string Name => "store";

    public string Description => "durable store: ingest/s (fsync, relaxed), bytes/reading, drain/s vs same-run references";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var readings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 400_000;
        SQLitePCL.Batteries_V2.Init();
        var dir = Directory.CreateTempSubdirectory("store-bench-").FullName;
        try
        {
            Console.WriteLine($"store bench: {readings} readings, {Series} series, {Environment.ProcessorCount} cores, SQLite {SqliteVersion()}, temp dir {dir}");
            var naive = NaiveOneCommitPerRow(Path.Combine(dir, "naive.db"), TimeSpan.FromSeconds(3));
            var raw = RawAppendFsync(Path.Combine(dir, "raw.bin"), TimeSpan.FromSeconds(3));
            Row("reference: naive SQLite, one fsynced commit per row", naive, "rows/s");
            Row("reference: raw file, 32-byte append + fsync each", raw, "writes/s");

            foreach (var (durability, producers, batch) in new[] { ("fsync", 64, 1), ("fsync", 256, 1), ("fsync", 16, 20), ("relaxed", 64, 1), ("relaxed", 16, 20) })
            {
                var path = Path.Combine(dir, $"{durability}-{producers}-{batch}.db");
                var rate = await IngestAsync(path, durability, producers, batch, readings, cancellationToken);
                Row($"store ingest, {durability}, {producers} producers x {(batch == 1 ? "single appends" : $"batches of {batch}")}", rate, "readings/s",
                    $"{rate / naive:F0}x naive, {rate / raw:F1}x raw fsync");
            }

            var storePath = Path.Combine(dir, "fsync-16-20.db");
            var perReading = await BytesPerReadingAsync(storePath, readings);
            var plain = PlainTableBytesPerReading(Path.Combine(dir, "plain.db"), readings);
            Row("store bytes on disk per reading", perReading, "B", $"{perReading / plain:P0} of a plain row-per-reading table");
            Row("reference: plain table (device, point, ISO ts, value, unit, quality) bytes/reading", plain, "B");
            Row("reference: SPEC JSON of one READING", JsonBytesPerReading(), "B");

            var scan = BareScan(storePath);
            var drain = await DrainAsync(storePath, cancellationToken);
            Row("reference: bare SELECT scan of the reading table", scan, "rows/s");
            Row("drain: read 500/batch + render SPEC JSON + acknowledge", drain, "readings/s", $"{drain / scan:P0} of the bare scan");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Row(string what, double value, string unit, string ratio = "") =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {value:N1} {unit} | {ratio} |"));

    private static SqliteRecordStore Open(string path, string durability) =>
        SqliteRecordStore.Open(StoreSettings.From(new StorageOptions { Path = path, MaxMegabytes = 1024, Durability = durability }),
            TimeProvider.System, new ClockSync(DateTimeOffset.UnixEpoch, false), NullLogger.Instance);

    private static Reading Reading(int i, long timestamp, DateTimeOffset now) =>
        new("meter-" + (i % Series / 4).ToString(CultureInfo.InvariantCulture), "p" + (i % Series).ToString(CultureInfo.InvariantCulture),
            Math.Round(1000 + Math.Sin(i / 97.0) * 50, 2), "m3", ReadingQuality.Good, null, now, timestamp);

    private static async Task<double> IngestAsync(string path, string durability, int producers, int batch, int total, CancellationToken cancellationToken)
    {
        await using var store = Open(path, durability);
        var perProducer = total / producers / batch;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var k = 0; k < perProducer; k++)
            {
                var now = DateTimeOffset.UtcNow;
                var ts = Stopwatch.GetTimestamp();
                if (batch == 1)
                {
                    await store.AppendReadingAsync(Reading(p * perProducer + k, ts, now), cancellationToken);
                }
                else
                {
                    var readings = new Reading[batch];
                    for (var j = 0; j < batch; j++)
                    {
                        readings[j] = Reading((p * perProducer + k) * batch + j, ts, now);
                    }
                    await store.AppendReadingsAsync(readings, cancellationToken);
                }
            }
        }, cancellationToken)));
        return perProducer * producers * batch / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> BytesPerReadingAsync(string path, int readings)
    {
        await using (var store = Open(path, "fsync"))
        {
            var stats = store.GetStatistics();
            if (stats.PendingReadings < readings * 9 / 10)
            {
                throw new InvalidOperationException($"expected ~{readings} readings in {path}, found {stats.PendingReadings}");
            }
        }
        // Closed: WAL checkpointed into the main file, which is what stays on disk.
        using var check = Connect(path);
        var count = Scalar(check, "SELECT count(*) FROM reading");
        return (double)new FileInfo(path).Length / count;
    }

    private static double NaiveOneCommitPerRow(string path, TimeSpan duration)
    {
        using var c = Connect(path);
        Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE r(seq INTEGER PRIMARY KEY, device TEXT, point TEXT, ts INTEGER, value REAL)");
        using var insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO r(device, point, ts, value) VALUES ('meter-1', 'p1', $ts, $v)";
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var v = insert.Parameters.Add("$v", SqliteType.Real);
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < duration)
        {
            ts.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            v.Value = n * 0.5;
            insert.ExecuteNonQuery(); // autocommit: one fsynced transaction per row
            n++;
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    private static double RawAppendFsync(string path, TimeSpan duration)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var record = new byte[32];
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < duration)
        {
            record[0] = (byte)n;
            file.Write(record);
            file.Flush(flushToDisk: true);
            n++;
        }
        return n / clock.Elapsed.TotalSeconds;
    }

    private static double PlainTableBytesPerReading(string path, int readings)
    {
        using var c = Connect(path);
        Exec(c, "CREATE TABLE r(seq INTEGER PRIMARY KEY, device TEXT, point TEXT, ts TEXT, value REAL, unit TEXT, quality TEXT)");
        using var tx = c.BeginTransaction();
        using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO r(device, point, ts, value, unit, quality) VALUES ($d, $p, $ts, $v, 'm3', 'good')";
        var d = insert.Parameters.Add("$d", SqliteType.Text);
        var p = insert.Parameters.Add("$p", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Text);
        var v = insert.Parameters.Add("$v", SqliteType.Real);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < readings; i++)
        {
            var r = Reading(i, 0, now);
            (d.Value, p.Value, ts.Value, v.Value) = (r.Device, r.Point, RecordJson.FormatTimestamp(now.AddMilliseconds(i)), r.Value.AsDouble());
            insert.ExecuteNonQuery();
        }
        tx.Commit();
        return (double)new FileInfo(path).Length / readings;
    }

    private static double JsonBytesPerReading()
    {
        var r = Reading(7, 0, DateTimeOffset.UtcNow);
        var stored = new StoredReading(123456, r.Device, r.Point, r.Value, r.Unit, r.Quality, null, new RecordTime(r.MeasuredAt, null, null, null));
        return RecordJson.TelemetryPayload("pole-0001", [stored]).Length - "{\"v\":1,\"node\":\"pole-0001\",\"readings\":[]}".Length;
    }

    private static double BareScan(string path)
    {
        using var c = Connect(path);
        using var command = c.CreateCommand();
        command.CommandText = "SELECT seq, series, ts, value, flags FROM reading ORDER BY seq";
        var clock = Stopwatch.StartNew();
        long n = 0, sum = 0;
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                sum += rows.GetInt64(0) + rows.GetInt64(1);
                n++;
            }
        }
        GC.KeepAlive(sum);
        return n / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> DrainAsync(string path, CancellationToken cancellationToken)
    {
        await using var store = Open(path, "fsync");
        var clock = Stopwatch.StartNew();
        long n = 0;
        for (long after = 0; ;)
        {
            var batch = await store.ReadReadingsAsync(after, 500, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            var payload = RecordJson.TelemetryPayload("pole-0001", batch);
            GC.KeepAlive(payload);
            store.Acknowledge(RecordClass.Telemetry, batch.Select(r => r.Seq));
            after = batch[^1].Seq;
            n += batch.Count;
        }
        await store.FlushAcknowledgementsAsync(cancellationToken);
        return n / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The SQLite library this build runs (<c>sqlite_version()</c>).</summary>
    internal static string SqliteVersion()
    {
        SQLitePCL.Batteries_V2.Init();
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static SqliteConnection Connect(string path)
    {
        var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        return c;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
