using System.Text.Json;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

public sealed class SqliteRecordStoreTests
{
    [Fact]
    public async Task Readings_of_every_value_kind_come_back_as_stored_under_increasing_seqs()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);

        var s1 = await store.AppendReadingAsync(Reading.Measure(time, "water-1", "flow", 12.375, "m3"));
        var s2 = await store.AppendReadingAsync(Reading.Measure(time, "water-1", "count", 42L));
        var s3 = await store.AppendReadingAsync(Reading.Measure(time, "door-1", "state", true));
        var s4 = await store.AppendReadingAsync(Reading.Measure(time, "meter-1", "energy", ulong.MaxValue, "Wh", ReadingQuality.Uncertain, "few satellites"));
        var s5 = await store.AppendReadingAsync(Reading.Measure(time, "water-1", "flow", 7.0, "m3", ReadingQuality.Bad, "timeout"));

        Assert.Equal([1L, 2, 3, 4, 5], [s1, s2, s3, s4, s5]);
        var all = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal(5, all.Count);
        Assert.Equal(ReadingValueKind.Double, all[0].Value.Kind);
        Assert.Equal(12.375, all[0].Value.AsDouble());
        Assert.Equal("m3", all[0].Unit);
        Assert.Equal(42L, all[1].Value.AsInt64());
        Assert.Equal(ReadingValueKind.Int64, all[1].Value.Kind);
        Assert.Null(all[1].Unit);
        Assert.True(all[2].Value.AsBoolean());
        Assert.Equal(ReadingValueKind.Boolean, all[2].Value.Kind);
        Assert.Equal((ReadingValueKind.UInt64, ulong.MaxValue), (all[3].Value.Kind, all[3].Value.AsUInt64()));
        Assert.Equal(ReadingQuality.Uncertain, all[3].Quality);
        Assert.Equal("few satellites", all[3].QualityReason);
        Assert.Equal(ReadingValueKind.Double, all[4].Value.Kind); // a whole double stays a double
        Assert.Equal(7.0, all[4].Value.AsDouble());
        Assert.Equal(ReadingQuality.Bad, all[4].Quality);
        Assert.All(all, r => Assert.Equal(StoreHarness.Now, r.Time.Timestamp));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task A_reading_without_a_finite_value_is_stored_and_rendered_as_null(double value)
    {
        // A non-finite double is no value (JSON has no NaN); refusing it would block every reading behind it.
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);

        await store.AppendReadingsAsync([Reading.Measure(time, "water-1", "flow", value, "m3", ReadingQuality.Bad, "timeout"), Reading.Measure(time, "water-1", "flow", 1.5, "m3")]);

        var all = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal(2, all.Count);
        Assert.Equal(ReadingValue.None, all[0].Value);
        using var json = JsonDocument.Parse(RecordJson.TelemetryPayload("n", all));
        var first = json.RootElement.GetProperty("readings")[0];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("value").ValueKind);
        Assert.Equal("bad", first.GetProperty("quality").GetString());
        Assert.Equal("timeout", first.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Readings_and_events_share_one_sequence_that_continues_after_a_restart()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time))
        {
            Assert.Equal(1, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 1)));
            Assert.Equal(2, await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", """{"state":true}""")));
            Assert.Equal(new SeqRange(3, 5), await store.AppendReadingsAsync([StoreHarness.Reading(time, "a", 2), StoreHarness.Reading(time, "b", 3), StoreHarness.Reading(time, "a", 4)]));
        }
        await using (var store = StoreHarness.Open(settings, time))
        {
            Assert.Equal(6, await store.AppendEventAsync(GatewayEvent.Now(time, "device.online", "water-1")));
            var readings = await StoreHarness.AllReadingsAsync(store);
            Assert.Equal([1L, 3, 4, 5], readings.Select(r => r.Seq));
            Assert.Equal(["a", "a", "b", "a"], readings.Select(r => r.Device));
            var events = await StoreHarness.AllEventsAsync(store);
            Assert.Equal([2L, 6], events.Select(e => e.Seq));
            Assert.Equal("""{"state":true}""", events[0].DataJson);
        }
    }

    [Fact]
    public async Task Many_concurrent_producers_get_unique_contiguous_seqs()
    {
        using var dir = new TempDirectory();
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db"), durability: StoreDurability.Relaxed), TimeProvider.System);
        var seqs = await Task.WhenAll(Enumerable.Range(0, 16).Select(p => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 200; i++)
            {
                mine.Add(await store.AppendReadingAsync(StoreHarness.Reading(TimeProvider.System, "p" + p, i)));
            }
            return mine;
        })));
        Assert.All(seqs, mine => Assert.Equal(mine.Order(), mine)); // each producer sees its own appends in order
        Assert.Equal(Enumerable.Range(1, 3200).Select(i => (long)i), seqs.SelectMany(s => s).Order());
        var stored = await StoreHarness.AllReadingsAsync(store);
        foreach (var (mine, p) in seqs.Select((s, p) => (s, p)))
        {
            var values = stored.Where(r => r.Device == "p" + p).Select(r => r.Value.AsDouble());
            Assert.Equal(Enumerable.Range(0, 200).Select(i => (double)i), values);
        }
    }

    [Fact]
    public async Task Acknowledged_records_are_removed_at_the_flush_and_the_rest_is_redelivered_after_a_restart()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingsAsync(Enumerable.Range(0, 10).Select(i => StoreHarness.Reading(time, "a", i)).ToArray());
            var e = await store.AppendEventAsync(GatewayEvent.Now(time, "litter.detected", "cam-1", "{}", new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 }));
            var batch = await store.ReadReadingsAsync(0, 4);
            store.Acknowledge(RecordClass.Telemetry, batch.Select(r => r.Seq));
            store.Acknowledge(RecordClass.Event, e);

            // Not yet flushed: still readable (a crash now would redeliver them).
            Assert.Equal(10, (await StoreHarness.AllReadingsAsync(store)).Count);
            await store.FlushAcknowledgementsAsync();
            Assert.Equal([5L, 6, 7, 8, 9, 10], (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
            Assert.Empty(await StoreHarness.AllEventsAsync(store));
            var snapshots = await store.ReadSnapshotsAsync(0, 10);
            Assert.Equal(e, Assert.Single(snapshots).EventSeq); // the snapshot has its own acknowledgement
            Assert.Equal(new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 }, snapshots[0].Jpeg.ToArray());
            store.Acknowledge(RecordClass.Telemetry, [5, 6]); // acknowledged, never flushed before the "crash"
        }
        await using (var store = StoreHarness.Open(settings, time))
        {
            // Dispose flushed 5 and 6; a new run starts from checkpoint 0 and gets the rest, same seqs.
            Assert.Equal([7L, 8, 9, 10], (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
            Assert.Equal(12, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 1)));
        }
    }

    [Fact]
    public async Task Acknowledging_scattered_seqs_removes_exactly_those()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        await store.AppendReadingsAsync(Enumerable.Range(0, 10).Select(i => StoreHarness.Reading(time, "a", i)).ToArray());
        store.Acknowledge(RecordClass.Telemetry, [7, 1, 2, 4, 9, 10]);
        store.Acknowledge(RecordClass.Event, [3, 5]); // wrong class: readings 3 and 5 must stay
        await store.FlushAcknowledgementsAsync();
        Assert.Equal([3L, 5, 6, 8], (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
    }

    [Fact]
    public async Task Seqs_of_deleted_newest_records_are_not_reused()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time))
        {
            var range = await store.AppendReadingsAsync(Enumerable.Range(0, 5).Select(i => StoreHarness.Reading(time, "a", i)).ToArray());
            store.Acknowledge(RecordClass.Telemetry, Enumerable.Range(1, 5).Select(i => (long)i));
            await store.FlushAcknowledgementsAsync();
            Assert.Equal(0, store.GetStatistics().PendingReadings);
        }
        File.Delete(dir.File("b.db.seq")); // even without the high-water mark the store itself remembers
        await using (var store = StoreHarness.Open(settings, time))
        {
            Assert.Equal(6, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 9)));
        }
    }

    [Fact]
    public async Task A_snapshot_for_an_event_that_is_not_stored_is_refused_and_consumes_no_seq()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        var e = await store.AppendEventAsync(GatewayEvent.Now(time, "litter.detected", "cam-1"));
        await store.AppendSnapshotAsync(e, new byte[] { 1, 2, 3 });
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.AppendSnapshotAsync(99, new byte[] { 1 }));
        Assert.True(Assert.Single(await StoreHarness.AllEventsAsync(store)).HasSnapshot);
        Assert.Equal(e + 1, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 1)));
    }

    [Fact]
    public async Task WaitForAppend_completes_when_a_record_is_committed()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        var wait = store.WaitForAppendAsync();
        Assert.False(wait.IsCompleted);
        await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Statistics_count_pending_records()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        await store.AppendReadingsAsync([StoreHarness.Reading(time, "a", 1), StoreHarness.Reading(time, "a", 2)]);
        await store.AppendEventAsync(GatewayEvent.Now(time, "x", "y"));
        var stats = store.GetStatistics();
        Assert.Equal((3L, 2L, 1L, 0L), (stats.LastSeq, stats.PendingReadings, stats.PendingEvents, stats.PendingSnapshots));
        Assert.True(stats.FileBytes > 0);
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_while_the_first_is_open()
    {
        using var dir = new TempDirectory();
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var first = StoreHarness.Open(settings))
        {
            var error = Assert.Throws<StoreUnavailableException>(() => StoreHarness.Open(settings));
            Assert.Equal($"cannot open the store at {dir.File("b.db")}: it is in use by another gateway process (its .seq file is locked); stop that one first", error.Message);
        }
        await using var again = StoreHarness.Open(settings); // released at dispose
        Assert.Equal(0, again.GetStatistics().LastSeq);
    }

    [Fact]
    public void A_path_that_cannot_hold_a_store_is_one_line_with_the_path_and_the_reason_and_creates_nothing()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("store-dir"));
        var cases = new (string Path, string Reason)[]
        {
            (dir.File("store-dir"), "it is a directory; storage.path names the database file (e.g. .../buffer.db)"),
            ("/proc/gateway/buffer.db", "cannot write in /proc/gateway: no such file or directory (ENOENT)"),
            ("/sys/buffer.db", "cannot write in /sys: permission denied (EACCES)"),
        };
        foreach (var (path, reason) in cases)
        {
            var error = Assert.Throws<StoreUnavailableException>(() => StoreHarness.Open(StoreHarness.Settings(path)));
            Assert.Equal($"cannot open the store at {path}: {reason}", error.Message);
            Assert.Equal(path, error.Path);
        }
        Assert.Equal(["store-dir"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName)); // no stray store-dir.seq
        Assert.False(File.Exists("/sys/buffer.db.seq"));
    }

    [Fact]
    public void Unknown_durability_is_refused_with_its_key()
    {
        var error = Assert.Throws<ArgumentException>(() => StoreSettings.From(new Gateway.Sync.StorageOptions { Durability = "sometimes" }));
        Assert.Contains("storage.durability", error.Message, StringComparison.Ordinal);
    }

    internal static JsonElement Data(StoredEvent e) => JsonDocument.Parse(e.DataJson).RootElement;
}
