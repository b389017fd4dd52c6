using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Gateway.Sync;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Bench.Store;

/// <summary>
/// Issue 11: durable ingest of what drivers publish, through the one <see cref="IngestQueue"/>
/// that the store's writer drains, against the path it replaced, rebuilt here as the reference:
/// a bounded channel, a pump that copies batches of up to 1024 readings into an array and awaits
/// <see cref="IRecordStore.AppendReadingsAsync"/> for each (which queues a request for the writer).
/// Producers publish single readings, as the drivers do; the clock stops once every reading is
/// committed and the store closed (both paths close the same way).
/// </summary>
public sealed class StoreIngestBenchCommand : IBenchCommand
{
    private const int Capacity = 16_384 + 1_024; // the product's queue size (DriverOutputOptions)
    private const int PumpBatch = 1_024; // what the removed DriverOutputPump handed over at most

    public string Name => "store-ingest";

    public string Description => "driver → store ingest/s: the one IngestQueue drained by the writer vs the old channel + pump + AppendReadingsAsync (same run)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var readings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var producers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
        SQLitePCL.Batteries_V2.Init();
        var dir = Directory.CreateTempSubdirectory("store-ingest-bench-").FullName;
        try
        {
            Console.WriteLine($"store-ingest bench: {readings} readings, {producers} producers of single readings, {rounds} alternated rounds, {Environment.ProcessorCount} cores, fsync");
            Console.WriteLine("| round | old path (channel + pump + AppendReadingsAsync) readings/s | new path (IngestQueue drained by the writer) readings/s | new / old |");
            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                // Alternate which goes first: the second run of a pair is measured slower on this machine.
                double old, now;
                if (round % 2 == 0)
                {
                    old = await OldPathAsync(Path.Combine(dir, $"old-{round}.db"), readings, producers, cancellationToken);
                    now = await NewPathAsync(Path.Combine(dir, $"new-{round}.db"), readings, producers, cancellationToken);
                }
                else
                {
                    now = await NewPathAsync(Path.Combine(dir, $"new-{round}.db"), readings, producers, cancellationToken);
                    old = await OldPathAsync(Path.Combine(dir, $"old-{round}.db"), readings, producers, cancellationToken);
                }
                ratios.Add(now / old);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round + 1} | {old:N0} | {now:N0} | {now / old:F2} |"));
            }
            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median new / old: {ratios[ratios.Count / 2]:F2}"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static SqliteRecordStore Open(string path, IngestQueue? ingest) =>
        SqliteRecordStore.Open(StoreSettings.From(new StorageOptions { Path = path, MaxMegabytes = 1024 }),
            TimeProvider.System, new ClockSync(DateTimeOffset.UnixEpoch, false), NullLogger.Instance, ingest);

    private static async Task<double> NewPathAsync(string path, int total, int producers, CancellationToken cancellationToken)
    {
        var queue = new IngestQueue(Capacity);
        var store = Open(path, queue);
        var clock = Stopwatch.StartNew();
        await ProduceAsync(total, producers, r => queue.PublishAsync(r, cancellationToken));
        await store.DisposeAsync(); // commits what the producers left in the queue, as at the end of a run
        var seconds = clock.Elapsed.TotalSeconds;
        return Verified(path, total) / seconds;
    }

    private static async Task<double> OldPathAsync(string path, int total, int producers, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<Reading>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var store = Open(path, null);
        var clock = Stopwatch.StartNew();
        var pump = Task.Run(async () =>
        {
            var batch = new Reading[PumpBatch];
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                var count = 0;
                while (count < batch.Length && channel.Reader.TryRead(out var reading))
                {
                    batch[count++] = reading;
                }
                // As StoreDriverSink did: the pump's array is reused, so the store got a copy.
                await store.AppendReadingsAsync(batch.AsSpan(0, count).ToArray(), cancellationToken);
            }
        }, cancellationToken);
        await ProduceAsync(total, producers, r => channel.Writer.WriteAsync(r, cancellationToken));
        channel.Writer.Complete();
        await pump;
        await store.DisposeAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        return Verified(path, total) / seconds;
    }

    private static Task ProduceAsync(int total, int producers, Func<Reading, ValueTask> publish) =>
        Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var k = p; k < total; k += producers)
            {
                await publish(new Reading("meter-" + (k % 5).ToString(CultureInfo.InvariantCulture), "p" + (k % 20).ToString(CultureInfo.InvariantCulture),
                    Math.Round(1000 + Math.Sin(k / 97.0) * 50, 2), "m3", ReadingQuality.Good, null, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp()));
            }
        })));

    /// <summary>The readings committed (all of them, or the measurement is void).</summary>
    private static long Verified(string path, long total)
    {
        using var store = Open(path, null);
        var stored = store.GetStatistics().LastSeq;
        return stored == total ? stored : throw new InvalidOperationException($"{path}: {stored} readings stored, {total} published");
    }
}
