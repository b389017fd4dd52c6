using Gateway.Sync;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;

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

    public static SqliteRecordStore Open(StoreSettings settings, TimeProvider? time = null, IClockSync? clock = null) =>
        SqliteRecordStore.Open(settings, time ?? new Support.ManualTimeProvider(Now), clock ?? new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), false), NullLogger.Instance);

    public static NewReading Reading(TimeProvider time, string device, double value, string point = "x") =>
        NewReading.Measure(time, device, point, value, "m3");

    public static async Task<List<StoredReading>> AllReadingsAsync(IOutbox outbox)
    {
        var all = new List<StoredReading>();
        for (long after = 0; ;)
        {
            var page = await outbox.ReadReadingsAsync(after, 5000);
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page);
            after = page[^1].Seq;
        }
    }

    public static async Task<List<StoredEvent>> AllEventsAsync(IOutbox outbox)
    {
        var all = new List<StoredEvent>();
        for (long after = 0; ;)
        {
            var page = await outbox.ReadEventsAsync(after, 5000);
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page);
            after = page[^1].Seq;
        }
    }
}
