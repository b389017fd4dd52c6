using Gateway.Sync;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>Opens stores in a test directory and reads everything back.</summary>
internal static class StoreHarness
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    public static StoreSettings Settings(string path, double megabytes = 64, StoreDurability durability = StoreDurability.Fsync) =>
        StoreSettings.From(new StorageOptions { Path = path, MaxMegabytes = megabytes, Durability = durability == StoreDurability.Fsync ? "fsync" : "relaxed" }) with
        {
            BootId = () => "boot-a",
        };

    public static SqliteRecordStore Open(StoreSettings settings, TimeProvider? time = null, IClockSync? clock = null, IngestQueue? ingest = null, ILogger? logger = null) =>
        SqliteRecordStore.Open(settings, time ?? new FakeTimeProvider(Now), clock ?? new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), false), logger ?? NullLogger.Instance, ingest);

    public static Reading Reading(TimeProvider time, string device, double value, string point = "x") =>
        Gateway.Contracts.Reading.Measure(time, device, point, value, "m3");

    public static Task<List<StoredReading>> AllReadingsAsync(IOutbox outbox) => AllAsync(outbox.ReadReadingsAsync, r => r.Seq);

    public static Task<List<StoredEvent>> AllEventsAsync(IOutbox outbox) => AllAsync(outbox.ReadEventsAsync, e => e.Seq);

    /// <summary>Pages through a class the way the forwarder does, from checkpoint 0.</summary>
    private static async Task<List<T>> AllAsync<T>(Func<long, int, CancellationToken, ValueTask<IReadOnlyList<T>>> read, Func<T, long> seq)
    {
        var all = new List<T>();
        for (long after = 0; ;)
        {
            var page = await read(after, 5000, CancellationToken.None);
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page);
            after = seq(page[^1]);
        }
    }
}
