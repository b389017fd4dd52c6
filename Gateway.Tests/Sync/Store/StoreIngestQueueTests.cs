using System.Text;
using System.Text.Json;
using Gateway.Sync.Store;
using Gateway.Tests.Drivers;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// Issue 11: the drivers publish into one bounded <see cref="IngestQueue"/> that the store's writer
/// drains straight into its transactions — queue order is seq order, a failed commit loses nothing
/// and is retried with back-off on the store's clock, a full queue holds the producers back.
/// </summary>
public sealed class StoreIngestQueueTests
{
    [Fact]
    public async Task Driver_readings_and_events_land_in_the_store_as_the_platform_will_see_them()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var queue = new IngestQueue(64);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, ingest: queue);
        var at = time.GetUtcNow();
        var stamp = time.GetTimestamp();

        foreach (var reading in new Reading[]
        {
            new("water-1", "flow", ReadingValue.FromDouble(12.5), "m3/h", ReadingQuality.Good, null, at, stamp),
            new("water-1", "total", ReadingValue.FromUInt64(ulong.MaxValue), "L", ReadingQuality.Good, null, at, stamp),
            new("water-1", "count", ReadingValue.FromUInt64(42), null, ReadingQuality.Good, null, at, stamp),
            new("door-1", "state", ReadingValue.FromBoolean(true), null, ReadingQuality.Good, null, at, stamp),
            new("water-1", "temp", ReadingValue.None, "°C", ReadingQuality.Bad, "timeout", at, stamp),
            new("env-1", "humidity", ReadingValue.FromInt64(-3), "%RH", ReadingQuality.Uncertain, "out of range", at, stamp),
            new("water-1", "total2", ReadingValue.FromUInt64(1UL << 63), "L", ReadingQuality.Good, null, at, stamp),
        })
        {
            await queue.PublishAsync(reading, CancellationToken.None);
        }
        await queue.PublishAsync(GatewayEvent.Create("device.offline", "water-1", new Dictionary<string, object?> { ["reason"] = "timeout", ["failures"] = 3 }, at, stamp), CancellationToken.None);
        await WaitForCommittedAsync(store, 8);

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], readings.Select(r => r.Seq));
        Assert.Equal(ReadingValue.FromDouble(12.5), readings[0].Value);
        Assert.Equal(ReadingValue.FromUInt64(ulong.MaxValue), readings[1].Value);
        Assert.Equal(ReadingValue.FromUInt64(42), readings[2].Value);
        Assert.Equal(ReadingValue.FromBoolean(true), readings[3].Value);
        Assert.Equal(ReadingValue.None, readings[4].Value);
        Assert.Equal((ReadingQuality.Bad, "timeout"), (readings[4].Quality, readings[4].QualityReason));
        Assert.Equal((ReadingQuality.Uncertain, ReadingValue.FromInt64(-3)), (readings[5].Quality, readings[5].Value));
        Assert.Equal(ReadingValue.FromUInt64(9223372036854775808), readings[6].Value);

        // What the platform receives: every value in its exact JSON form, the u64s as integers.
        var telemetry = Encoding.UTF8.GetString(RecordJson.TelemetryPayload("pole-0001", readings));
        Assert.Contains("\"point\":\"flow\",\"ts\":\"2026-11-21T06:00:00.000Z\",\"value\":12.5,", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":18446744073709551615,", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":42,", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":true,", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":null,\"unit\":\"°C\",\"quality\":\"bad\",\"reason\":\"timeout\"", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":-3,", telemetry, StringComparison.Ordinal);
        Assert.Contains("\"value\":9223372036854775808,", telemetry, StringComparison.Ordinal);

        var stored = Assert.Single(await StoreHarness.AllEventsAsync(store));
        Assert.Equal((8L, "device.offline", "water-1"), (stored.Seq, stored.Type, stored.Source));
        using var data = JsonDocument.Parse(stored.DataJson);
        Assert.Equal("timeout", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal(3, data.RootElement.GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task Seqs_follow_the_queue_order_across_readings_and_events_and_many_transactions()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var queue = new IngestQueue(100);
        // Small transactions (a 1 MB budget cuts batches at 16 KiB, ~400 readings), so the order must hold across commits.
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db"), megabytes: 1), time, ingest: queue);

        var published = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            if (i % 97 == 0)
            {
                var name = $"e{i}";
                await queue.PublishAsync(GatewayEvent.Now(time, "gpio.changed", name, "{}"), CancellationToken.None);
                published.Add(name);
            }
            else
            {
                await queue.PublishAsync(StoreHarness.Reading(time, "m", i, point: $"p{i % 7}"), CancellationToken.None);
                published.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        await WaitForCommittedAsync(store, published.Count);

        var bySeq = (await StoreHarness.AllReadingsAsync(store)).Select(r => (r.Seq, Name: r.Value.ExpectDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Concat((await StoreHarness.AllEventsAsync(store)).Select(e => (e.Seq, Name: e.Source)))
            .OrderBy(r => r.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, published.Count).Select(s => (long)s), bySeq.Select(r => r.Seq));
        Assert.Equal(published, bySeq.Select(r => r.Name));
    }

    [Fact]
    public async Task A_failing_commit_loses_no_queued_record_and_is_retried_after_1_2_and_4_seconds()
    {
        using var dir = new TempDirectory();
        var time = new WatchedFakeTime(StoreHarness.Now);
        var queue = new IngestQueue(64);
        var broken = true;
        var attempts = 0;
        var settings = StoreHarness.Settings(dir.File("b.db")) with
        {
            CommitFault = () =>
            {
                Interlocked.Increment(ref attempts);
                return Volatile.Read(ref broken) ? new IOException("Input/output error") : null;
            },
        };
        var logger = new CapturingLogger<StoreIngestQueueTests>();
        await using var store = StoreHarness.Open(settings, time, ingest: queue, logger: logger);
        var timers = time.TimersCreated; // the maintenance timer

        for (var i = 0; i < 5; i++)
        {
            await queue.PublishAsync(StoreHarness.Reading(time, "m", i), CancellationToken.None);
        }
        await time.WaitForTimersAsync(++timers); // the first commit failed and its pause started
        Assert.Equal(StoreWriteState.Failing, store.WriteStatus.State);

        // An API append meanwhile fails at once; the driver records wait for their own retry.
        await Assert.ThrowsAsync<StoreWriteException>(async () => await store.AppendReadingAsync(StoreHarness.Reading(time, "api", 1)));
        var tried = Volatile.Read(ref attempts);

        foreach (var pause in new[] { 1, 2, 4 })
        {
            time.Advance(TimeSpan.FromSeconds(pause) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
            Assert.Equal(tried, Volatile.Read(ref attempts)); // not before the pause is over
            time.Advance(TimeSpan.FromMilliseconds(1));
            await time.WaitForTimersAsync(++timers); // tried again, failed again, next pause started
            Assert.Equal(++tried, Volatile.Read(ref attempts));
        }
        Assert.Equal(0, store.GetStatistics().LastSeq);
        Assert.Equal(5, store.WriteStatus.ConsecutiveFailures); // 4 driver commits and the API append
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("store write failed", StringComparison.Ordinal)); // once per streak

        Volatile.Write(ref broken, false);
        time.Advance(TimeSpan.FromSeconds(8));
        await WaitForCommittedAsync(store, 5);
        Assert.Equal([0.0, 1, 2, 3, 4], (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Value.ExpectDouble()));
        Assert.Equal(StoreWriteState.Ok, store.WriteStatus.State);
        Assert.Contains(logger.Lines, l => l.Contains("writes again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_queue_holds_the_producers_back_until_the_store_writes_again()
    {
        using var dir = new TempDirectory();
        var time = new WatchedFakeTime(StoreHarness.Now);
        var queue = new IngestQueue(8);
        var broken = true;
        var settings = StoreHarness.Settings(dir.File("b.db")) with { CommitFault = () => Volatile.Read(ref broken) ? new IOException("Input/output error") : null };
        await using var store = StoreHarness.Open(settings, time, ingest: queue);
        var timers = time.TimersCreated;

        // The writer holds what it took (at least the first record) and takes no more while it fails, so at most 8 + what it took fit.
        var pending = new List<ValueTask>();
        for (var i = 0; i < 200; i++)
        {
            var publish = queue.PublishAsync(StoreHarness.Reading(time, "m", i), CancellationToken.None);
            if (!publish.IsCompleted)
            {
                pending.Add(publish);
            }
            else
            {
                await publish;
            }
            if (i == 0)
            {
                await time.WaitForTimersAsync(timers + 1); // the first commit failed and its pause started
            }
        }
        Assert.InRange(pending.Count, 200 - 8 - 1, 200 - 8);
        Assert.True(queue.FullWaits >= pending.Count);
        await Task.Delay(50);
        Assert.All(pending, p => Assert.False(p.IsCompleted));

        Volatile.Write(ref broken, false);
        time.Advance(TimeSpan.FromSeconds(1));
        foreach (var publish in pending)
        {
            await publish.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        }
        await WaitForCommittedAsync(store, 200);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (double)i), (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Value.ExpectDouble()));
    }

    [Fact]
    public async Task What_the_drivers_left_in_the_queue_is_stored_when_the_store_closes()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var queue = new IngestQueue(5000);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        var store = StoreHarness.Open(settings, time, ingest: queue);
        for (var i = 0; i < 3000; i++)
        {
            await queue.PublishAsync(StoreHarness.Reading(time, "m", i), CancellationToken.None);
        }
        await store.DisposeAsync();

        await using var reopened = StoreHarness.Open(settings, time);
        Assert.Equal(3000, (await StoreHarness.AllReadingsAsync(reopened)).Count);
    }

    private static Task WaitForCommittedAsync(SqliteRecordStore store, long lastSeq) =>
        WaitUntilAsync(() => store.GetStatistics().LastSeq >= lastSeq, $"seq {lastSeq} committed");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
