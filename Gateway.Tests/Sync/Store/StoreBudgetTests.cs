using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>Issue 3: under a tiny budget the files stay within the budget, the oldest telemetry goes first, and every drop is named exactly.</summary>
public sealed class StoreBudgetTests
{
    [Fact]
    public async Task Over_budget_the_oldest_telemetry_is_dropped_and_reported_with_exact_ranges()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"), megabytes: 1);
        await using var store = StoreHarness.Open(settings, time);

        var readingSeqs = new List<long>();
        var eventSeqs = new List<long>();
        long maxFileBytes = 0;
        for (var i = 0; i < 150; i++)
        {
            var range = await store.AppendReadingsAsync(Enumerable.Range(0, 500).Select(v => StoreHarness.Reading(time, "meter-" + (v % 20), i * 1000 + v + 0.5)).ToArray());
            readingSeqs.AddRange(Enumerable.Range(0, 500).Select(k => range.First + k));
            if (i % 10 == 0)
            {
                eventSeqs.Add(await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", """{"state":true}""")));
            }
            maxFileBytes = Math.Max(maxFileBytes, store.FileBytes());
            Assert.True(store.FileBytes() <= settings.BudgetBytes, $"after batch {i}: {store.FileBytes()} bytes on disk ({new FileInfo(dir.File("b.db")).Length} main), budget {settings.BudgetBytes}");
        }
        Assert.True(maxFileBytes > settings.BudgetBytes / 2, "the test never filled the store");

        var readings = await StoreHarness.AllReadingsAsync(store);
        var events = await StoreHarness.AllEventsAsync(store);
        var drops = events.Where(e => e.Type == "buffer.dropped").Select(SqliteRecordStoreTests.Data).ToList();
        Assert.NotEmpty(drops);

        // Every ordinary event survived; only telemetry was dropped.
        Assert.Equal(eventSeqs, events.Where(e => e.Type != "buffer.dropped").Select(e => e.Seq));
        Assert.All(drops, d => Assert.Equal("telemetry", d.GetProperty("class").GetString()));

        // What is left is the newest telemetry: a suffix of what was appended.
        var kept = readings.Select(r => r.Seq).ToList();
        Assert.Equal(readingSeqs[^kept.Count..], kept);
        var dropped = readingSeqs[..^kept.Count];

        // The reported ranges are contiguous over the dropped readings, exact, and count exactly.
        var next = 0;
        foreach (var d in drops)
        {
            var from = d.GetProperty("fromSeq").GetInt64();
            var to = d.GetProperty("toSeq").GetInt64();
            var count = d.GetProperty("count").GetInt64();
            var inRange = dropped.Where(s => s >= from && s <= to).ToList();
            Assert.Equal(dropped[next], from);
            Assert.Equal(inRange[^1], to);
            Assert.Equal(inRange.Count, count);
            next += inRange.Count;
        }
        Assert.Equal(dropped.Count, next);
        Assert.Equal(dropped.Count, store.GetStatistics().DroppedReadings);
    }

    [Fact]
    public async Task Every_file_the_store_owns_stays_within_the_budget_while_writing_and_after()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        var settings = StoreHarness.Settings(path, megabytes: 1);
        string[] owned = [path, path + "-wal", path + "-shm", path + ".seq"];
        long OnDisk() => owned.Sum(f => new FileInfo(f) is { Exists: true } info ? info.Length : 0);

        long maxSampled = 0;
        using var stop = new CancellationTokenSource();
        // Sampled beside the writer, so a WAL or main file that only grows inside a commit or a checkpoint is seen too.
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                maxSampled = Math.Max(maxSampled, OnDisk());
            }
        });
        long dropped;
        await using (var store = StoreHarness.Open(settings, time))
        {
            for (var i = 0; i < 150; i++)
            {
                await store.AppendReadingsAsync(Enumerable.Range(0, 500).Select(v => StoreHarness.Reading(time, "meter-" + (v % 20), i * 1000 + v + 0.5)).ToArray());
                if (i % 10 == 0)
                {
                    await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", """{"state":true}"""));
                }
                Assert.True(OnDisk() <= settings.BudgetBytes, $"after batch {i}: {OnDisk()} bytes in {string.Join(", ", owned.Select(f => $"{Path.GetFileName(f)} {(File.Exists(f) ? new FileInfo(f).Length : 0)}"))}, budget {settings.BudgetBytes}");
            }
            Assert.Equal(store.FileBytes(), OnDisk()); // the statistics count the same files
            dropped = store.GetStatistics().DroppedReadings;
        }
        await stop.CancelAsync();
        await sampler;
        Assert.True(dropped > 0, "the test never filled the store");
        Assert.True(maxSampled <= settings.BudgetBytes, $"{maxSampled} bytes sampled while writing, budget {settings.BudgetBytes}");
        Assert.True(OnDisk() <= settings.BudgetBytes, $"{OnDisk()} bytes after closing, budget {settings.BudgetBytes}");
    }

    [Fact]
    public async Task Events_are_dropped_only_when_events_alone_exceed_the_budget_and_that_is_reported_too()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"), megabytes: 0.5);
        await using var store = StoreHarness.Open(settings, time);
        var payload = "{\"blob\":\"" + new string('x', 2000) + "\"}";
        for (var i = 0; i < 400; i++)
        {
            await store.AppendEventAsync(GatewayEvent.Now(time, "crowd.gathering", "cam-1", payload));
        }
        Assert.True(store.FileBytes() <= settings.BudgetBytes, $"{store.FileBytes()} bytes on disk, budget {settings.BudgetBytes}");
        var events = await StoreHarness.AllEventsAsync(store);
        var drops = events.Where(e => e.Type == "buffer.dropped").Select(SqliteRecordStoreTests.Data).ToList();
        Assert.NotEmpty(drops);
        Assert.All(drops, d => Assert.Equal("event", d.GetProperty("class").GetString()));
        Assert.Equal(drops.Sum(d => d.GetProperty("count").GetInt64()), store.GetStatistics().DroppedEvents);
        // The survivors are the newest ones, and no seq is both dropped and kept.
        var keptSeqs = events.Where(e => e.Type == "crowd.gathering").Select(e => e.Seq).ToList();
        Assert.All(drops, d => Assert.DoesNotContain(keptSeqs, s => s >= d.GetProperty("fromSeq").GetInt64() && s <= d.GetProperty("toSeq").GetInt64()));
        Assert.Equal(400, keptSeqs.Count + drops.Sum(d => d.GetProperty("count").GetInt64()));
        // Reports of drops are never dropped themselves.
        Assert.Equal(events.Count(e => e.Type == "buffer.dropped"), drops.Count);
        Assert.Equal(events.Select(e => e.Seq).Max(), store.GetStatistics().LastSeq);
    }

    [Fact]
    public async Task Without_telemetry_left_snapshots_go_before_their_events()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"), megabytes: 0.5);
        await using var store = StoreHarness.Open(settings, time);
        var jpeg = new byte[20_000];
        new Random(3).NextBytes(jpeg);
        var seqs = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            seqs.Add(await store.AppendEventAsync(GatewayEvent.Now(time, "litter.detected", "cam-1", "{}", jpeg)));
        }
        Assert.True(store.FileBytes() <= settings.BudgetBytes, $"{store.FileBytes()} bytes on disk, budget {settings.BudgetBytes}");
        var events = await StoreHarness.AllEventsAsync(store);
        Assert.Equal(seqs, events.Where(e => e.Type == "litter.detected").Select(e => e.Seq)); // every event kept
        var drops = events.Where(e => e.Type == "buffer.dropped").Select(SqliteRecordStoreTests.Data).ToList();
        Assert.NotEmpty(drops);
        Assert.All(drops, d => Assert.Equal("snapshot", d.GetProperty("class").GetString()));
        var snapshots = await store.ReadSnapshotsAsync(0, 100);
        Assert.Equal(seqs[^snapshots.Count..], snapshots.Select(s => s.EventSeq)); // the newest evidence is kept
        Assert.Equal(40 - snapshots.Count, drops.Sum(d => d.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task Acknowledgements_are_flushed_by_the_timer_without_an_explicit_flush()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using var store = StoreHarness.Open(settings, time);
        await store.AppendReadingsAsync([StoreHarness.Reading(time, "a", 1), StoreHarness.Reading(time, "a", 2)]);
        store.Acknowledge(RecordClass.Telemetry, 1);
        await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 3));
        Assert.Equal(3, (await StoreHarness.AllReadingsAsync(store)).Count); // not yet: batched

        time.Advance(settings.AckFlushInterval); // the timer queues a flush ahead of the next append
        await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 4));
        Assert.Equal([2L, 3, 4], (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
    }

    [Fact]
    public async Task Space_is_given_back_to_the_file_system_after_a_drain()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        for (var i = 0; i < 20; i++)
        {
            await store.AppendReadingsAsync(Enumerable.Range(0, 1000).Select(v => StoreHarness.Reading(time, "m", v + 0.25)).ToArray());
        }
        var full = new FileInfo(dir.File("b.db")).Length + new FileInfo(dir.File("b.db-wal")).Length;
        for (long after = 0; ;)
        {
            var batch = await store.ReadReadingsAsync(after, 1000);
            if (batch.Count == 0)
            {
                break;
            }
            store.Acknowledge(RecordClass.Telemetry, batch.Select(r => r.Seq));
            after = batch[^1].Seq;
        }
        await store.FlushAcknowledgementsAsync();
        await store.DisposeAsync(); // checkpoint: the WAL's pages land in the main file
        var drained = new FileInfo(dir.File("b.db")).Length;
        Assert.True(drained < full / 4, $"{drained} bytes after the drain, {full} before");
    }
}
