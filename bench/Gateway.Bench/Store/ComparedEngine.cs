using System.Buffers.Binary;
using System.Globalization;
using Gateway.Sync;
using Gateway.Sync.Store;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Store;

/// <summary>
/// One store under comparison in <see cref="StoreVsLiteDbCommand"/>: our durable store, or LiteDB
/// holding the same reading as one document. Reading <c>i</c> is fully determined by <c>i</c>
/// (its timestamp is <see cref="Origin"/> + i ms), so what is read back after a crash or damage
/// can be checked field by field — silent corruption shows up as an inconsistent record.
/// </summary>
internal abstract class ComparedEngine
{
    public const int Series = 20;

    public static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly ComparedEngine[] All = [new OurStore(), new LiteDbStore()];

    public abstract string Name { get; }

    /// <summary>Short name for a child's command line and directory names.</summary>
    public abstract string Key { get; }

    /// <summary>The file the engine's data lives in; its log/WAL and the rest sit beside it.</summary>
    public abstract string DataFile(string dir);

    /// <summary>The engine's write-ahead log (SQLite WAL, LiteDB log file).</summary>
    public abstract string LogFile(string dir);

    /// <summary>Size of the engine's pages (SQLite as our store sets it; LiteDB 5's fixed page).</summary>
    public abstract int PageBytes { get; }

    /// <summary>Where the log's last committed content ends (the file may run on past it).</summary>
    public abstract long LogEnd(string logFile);

    public abstract Task<IWriter> OpenAsync(string dir);

    /// <summary>Opens what is in <paramref name="dir"/> as the engine would on start and reads everything back.</summary>
    public abstract Task<Recovered> RecoverAsync(string dir);

    public static string Device(long i) => "meter-" + (i % Series / 4).ToString(CultureInfo.InvariantCulture);

    public static string Point(long i) => "p" + (i % Series).ToString(CultureInfo.InvariantCulture);

    public static double Value(long i) => Math.Round(1000 + Math.Sin(i / 97.0) * 50, 2);

    public static DateTimeOffset Time(long i) => Origin.AddMilliseconds(i);

    /// <summary>An open store taking readings; <see cref="AppendAsync"/> returns once the engine says the commit is done.</summary>
    public interface IWriter : IAsyncDisposable
    {
        Task AppendAsync(long i);

        Task AppendBatchAsync(long first, int count);
    }

    /// <summary>What came back: <see cref="Error"/> set if it did not open or read; the reading numbers that passed the field check.</summary>
    public sealed record Recovered(string? Error, HashSet<long> Good, int Inconsistent, string? Quarantined);

    private sealed class OurStore : ComparedEngine
    {
        public override string Name => "our store";

        public override string Key => "ours";

        public override string DataFile(string dir) => Path.Combine(dir, "store.db");

        public override string LogFile(string dir) => DataFile(dir) + "-wal";

        public override int PageBytes => StoreSchema.PageSize;

        /// <summary>
        /// SQLite reuses its WAL from the start after a checkpoint, so the file's tail may hold frames of an
        /// earlier generation that recovery ignores anyway. The live frames are those from the start whose
        /// salts match the WAL header's; the last commit ends at the last of them that closes a transaction.
        /// </summary>
        public override long LogEnd(string logFile)
        {
            var wal = File.ReadAllBytes(logFile);
            var pageSize = BinaryPrimitives.ReadInt32BigEndian(wal.AsSpan(8));
            var (salt1, salt2) = (BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(20)));
            long end = 32;
            for (long frame = 32; frame + 24 + pageSize <= wal.Length; frame += 24 + pageSize)
            {
                var header = wal.AsSpan((int)frame, 24);
                if (BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != salt1 || BinaryPrimitives.ReadUInt32BigEndian(header[12..]) != salt2)
                {
                    break;
                }
                if (BinaryPrimitives.ReadUInt32BigEndian(header[4..]) != 0)
                {
                    end = frame + 24 + pageSize; // a commit frame
                }
            }
            return end;
        }

        public override Task<IWriter> OpenAsync(string dir) => Task.FromResult<IWriter>(new Writer(Open(dir)));

        public override async Task<Recovered> RecoverAsync(string dir)
        {
            var good = new HashSet<long>();
            var inconsistent = 0;
            try
            {
                await using var store = Open(dir);
                for (long after = 0; ;)
                {
                    var batch = await store.ReadReadingsAsync(after, 5000);
                    if (batch.Count == 0)
                    {
                        break;
                    }
                    foreach (var r in batch)
                    {
                        var i = r.Time.Timestamp is { } ts ? (long)(ts - Origin).TotalMilliseconds : -1;
                        if (i >= 0 && r.Device == Device(i) && r.Point == Point(i) && r.Value.AsDouble() == Value(i) && r.Unit == "m3" && r.Quality == ReadingQuality.Good)
                        {
                            good.Add(i);
                        }
                        else
                        {
                            inconsistent++;
                        }
                    }
                    after = batch[^1].Seq;
                }
                // The store moves a file that fails its start-up check aside and starts afresh.
                var quarantined = Directory.GetFiles(dir, "store.db.corrupt-*").FirstOrDefault(f => !f.EndsWith("-wal", StringComparison.Ordinal));
                return new Recovered(null, good, inconsistent, quarantined is null ? null : Path.GetFileName(quarantined));
            }
#pragma warning disable CA1031 // the point is to report whatever the engine throws
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return new Recovered(ex.GetType().Name + ": " + ex.Message, good, inconsistent, null);
            }
        }

        private static SqliteRecordStore Open(string dir) =>
            SqliteRecordStore.Open(StoreSettings.From(new StorageOptions { Path = Path.Combine(dir, "store.db"), MaxMegabytes = 1024, Durability = "fsync" }),
                TimeProvider.System, new ClockSync(DateTimeOffset.UnixEpoch, false), NullLogger.Instance);

        private static Reading Reading(long i) =>
            new(Device(i), Point(i), Value(i), "m3", ReadingQuality.Good, null, Time(i), TimeProvider.System.GetTimestamp());

        private sealed class Writer(SqliteRecordStore store) : IWriter
        {
            public async Task AppendAsync(long i) => await store.AppendReadingAsync(Reading(i));

            public async Task AppendBatchAsync(long first, int count)
            {
                var readings = new Reading[count];
                for (var j = 0; j < count; j++)
                {
                    readings[j] = Reading(first + j);
                }
                await store.AppendReadingsAsync(readings);
            }

            public ValueTask DisposeAsync() => store.DisposeAsync();
        }
    }

    private sealed class LiteDbStore : ComparedEngine
    {
        public override string Name => "LiteDB " + typeof(LiteDatabase).Assembly.GetName().Version!.ToString(3);

        public override string Key => "litedb";

        public override string DataFile(string dir) => Path.Combine(dir, "lite.db");

        public override string LogFile(string dir) => Path.Combine(dir, "lite-log.db");

        public override int PageBytes => 8192;

        // LiteDB 5 appends commits to its log and truncates it at a checkpoint: the file ends with the last commit.
        public override long LogEnd(string logFile) => new FileInfo(logFile).Length;

        public override Task<IWriter> OpenAsync(string dir) => Task.FromResult<IWriter>(new Writer(Open(dir)));

        public override Task<Recovered> RecoverAsync(string dir)
        {
            var good = new HashSet<long>();
            var inconsistent = 0;
            try
            {
                using var db = Open(dir);
                foreach (var doc in db.GetCollection("reading").FindAll())
                {
                    var i = doc["_id"].IsInt64 ? doc["_id"].AsInt64 : -1;
                    if (i >= 0 && doc["device"].AsString == Device(i) && doc["point"].AsString == Point(i) && doc["value"].AsDouble == Value(i)
                        && doc["ts"].IsDateTime && new DateTimeOffset(doc["ts"].AsDateTime.ToUniversalTime()) == Time(i)
                        && doc["unit"].AsString == "m3" && doc["quality"].AsString == "good")
                    {
                        good.Add(i);
                    }
                    else
                    {
                        inconsistent++;
                    }
                }
                return Task.FromResult(new Recovered(null, good, inconsistent, null));
            }
#pragma warning disable CA1031 // the point is to report whatever the engine throws
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return Task.FromResult(new Recovered(ex.GetType().Name + ": " + ex.Message, good, inconsistent, null));
            }
        }

        private static LiteDatabase Open(string dir) =>
            new(new ConnectionString { Filename = Path.Combine(dir, "lite.db"), Connection = ConnectionType.Direct });

        // The reading as a document: the same fields the platform receives (SPEC section 3).
        private static BsonDocument Document(long i) => new()
        {
            ["_id"] = i,
            ["device"] = Device(i),
            ["point"] = Point(i),
            ["ts"] = Time(i).UtcDateTime,
            ["value"] = Value(i),
            ["unit"] = "m3",
            ["quality"] = "good",
        };

        private sealed class Writer(LiteDatabase db) : IWriter
        {
            private readonly ILiteCollection<BsonDocument> _readings = db.GetCollection("reading");

            public Task AppendAsync(long i)
            {
                _readings.Insert(Document(i)); // its own transaction, committed on return
                return Task.CompletedTask;
            }

            public Task AppendBatchAsync(long first, int count)
            {
                _readings.InsertBulk(Enumerable.Range(0, count).Select(j => Document(first + j)), count);
                return Task.CompletedTask;
            }

            public ValueTask DisposeAsync()
            {
                db.Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
