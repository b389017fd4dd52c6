using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// A record damaged inside the file (a flipped byte that SQLite's quick_check does not see: no page
/// checksums) must not stall the uplink: the reader skips it and the store reports it as dropped.
/// </summary>
public sealed class StoreUndecodableRecordTests
{
    [Fact]
    public async Task A_reading_that_names_an_unknown_series_is_skipped_reported_as_dropped_and_removed()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        await using var store = StoreHarness.Open(StoreHarness.Settings(path), time);
        var range = await store.AppendReadingsAsync(Enumerable.Range(0, 10).Select(i => StoreHarness.Reading(time, "meter-" + (i % 2), i + 0.5)).ToArray());
        var bad = range.First + 4;
        Corrupt(path, $"UPDATE reading SET series = -19 WHERE seq = {bad}");

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => range.First + i).Where(s => s != bad), readings.Select(r => r.Seq));
        Assert.Equal([0.5, 1.5, 2.5, 3.5, 5.5, 6.5, 7.5, 8.5, 9.5], readings.Select(r => r.Value.AsDouble()));

        var drop = SqliteRecordStoreTests.Data(Assert.Single(await StoreHarness.AllEventsAsync(store), e => e.Type == "buffer.dropped"));
        Assert.Equal(bad, drop.GetProperty("fromSeq").GetInt64());
        Assert.Equal(bad, drop.GetProperty("toSeq").GetInt64());
        Assert.Equal(1, drop.GetProperty("count").GetInt64());
        Assert.Equal("telemetry", drop.GetProperty("class").GetString());
        Assert.Equal("undecodable", drop.GetProperty("reason").GetString());
        Assert.Contains("unknown series -19", drop.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, store.GetStatistics().DroppedReadings);

        // Reported once: the row is gone, so reading again from the start finds the same records and no new report.
        Assert.Equal(readings.Select(r => r.Seq), (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
        Assert.Single(await StoreHarness.AllEventsAsync(store), e => e.Type == "buffer.dropped");
        Assert.Equal(9, store.GetStatistics().PendingReadings);
    }

    [Fact]
    public async Task Consecutive_undecodable_records_of_each_class_are_reported_as_one_range_per_class()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        await using var store = StoreHarness.Open(StoreHarness.Settings(path), time);
        var range = await store.AppendReadingsAsync(Enumerable.Range(0, 8).Select(i => StoreHarness.Reading(time, "m", i + 0.5)).ToArray());
        var events = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", "{}", new byte[] { 0xFF, 0xD8, (byte)i })));
        }
        // An integer reading without a value (flipped kind and type bits); a JPEG whose type tag became a number.
        Corrupt(path, $"UPDATE reading SET flags = 4, value = NULL WHERE seq BETWEEN {range.First + 2} AND {range.First + 3}");
        Corrupt(path, $"UPDATE snapshot SET jpeg = 7 WHERE seq = {events[1]}");

        Assert.Equal([range.First, range.First + 1, range.First + 4, range.First + 5, range.First + 6, range.First + 7],
            (await StoreHarness.AllReadingsAsync(store)).Select(r => r.Seq));
        Assert.Equal([events[0], events[2], events[3]], (await store.ReadSnapshotsAsync(0, 100)).Select(s => s.EventSeq));

        var drops = (await StoreHarness.AllEventsAsync(store)).Where(e => e.Type == "buffer.dropped").Select(SqliteRecordStoreTests.Data).ToList();
        Assert.Equal(2, drops.Count);
        var telemetry = Assert.Single(drops, d => d.GetProperty("class").GetString() == "telemetry");
        Assert.Equal((range.First + 2, range.First + 3, 2L), (telemetry.GetProperty("fromSeq").GetInt64(), telemetry.GetProperty("toSeq").GetInt64(), telemetry.GetProperty("count").GetInt64()));
        var snapshot = Assert.Single(drops, d => d.GetProperty("class").GetString() == "snapshot");
        Assert.Equal((events[1], events[1], 1L), (snapshot.GetProperty("fromSeq").GetInt64(), snapshot.GetProperty("toSeq").GetInt64(), snapshot.GetProperty("count").GetInt64()));
        Assert.All(drops, d => Assert.Equal("undecodable", d.GetProperty("reason").GetString()));
    }

    /// <summary>Changes a stored row behind the store's back, as a flipped bit on flash would.</summary>
    private static void Corrupt(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.NotEqual(0, command.ExecuteNonQuery());
    }
}
