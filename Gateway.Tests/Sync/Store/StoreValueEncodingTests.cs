using System.Text;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>How values survive SQLite (signed 64-bit INTEGER, no NaN) and come out as the exact JSON.</summary>
public sealed class StoreValueEncodingTests
{
    [Fact]
    public async Task U64_beyond_the_signed_range_and_no_value_come_out_exactly_after_a_restart()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingsAsync(
            [
                Reading.Measure(time, "meter-1", "max", ulong.MaxValue, "Wh"),
                Reading.Measure(time, "meter-1", "half", 1UL << 63, "Wh"),
                Reading.Measure(time, "meter-1", "small", 7UL, "Wh"),
                Reading.Measure(time, "meter-1", "min", long.MinValue),
                Reading.Measure(time, "meter-1", "gone", ReadingValue.None, "Wh", ReadingQuality.Bad, "timeout"),
                Reading.Measure(time, "meter-1", "unsure", ReadingValue.None, null, ReadingQuality.Uncertain, "warming up"),
            ]);
        }
        await using (var store = StoreHarness.Open(settings, time))
        {
            var all = await StoreHarness.AllReadingsAsync(store);
            Assert.Equal(
                [ReadingValue.FromUInt64(ulong.MaxValue), ReadingValue.FromUInt64(1UL << 63), ReadingValue.FromUInt64(7), ReadingValue.FromInt64(long.MinValue), ReadingValue.None, ReadingValue.None],
                all.Select(r => r.Value));
            Assert.Equal([ReadingQuality.Good, ReadingQuality.Good, ReadingQuality.Good, ReadingQuality.Good, ReadingQuality.Bad, ReadingQuality.Uncertain], all.Select(r => r.Quality));
            Assert.Equal(
                ["18446744073709551615", "9223372036854775808", "7", "-9223372036854775808", "null", "null"],
                Values(RecordJson.TelemetryPayload("pole-0001", all)));
        }
    }

    [Fact]
    public async Task A_store_written_by_the_previous_encoding_reads_as_before()
    {
        // The previous code stored no value as a double kind with a NULL column (it came from NaN), a u64
        // up to 2^63 - 1 as an integer and beyond as a REAL. Poles keep their stores across an update.
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        var settings = StoreHarness.Settings(path);
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingAsync(StoreHarness.Reading(time, "water-1", 1.5));
        }
        var ts = StoreHarness.Now.ToUnixTimeMilliseconds();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // flags: quality in bits 0-1 (0 good, 1 bad, 2 uncertain), kind in bits 2-3 (0 double, 1 integer, 2 boolean).
            command.CommandText = $"""
                INSERT INTO reading(seq, series, ts, value, flags, reason) VALUES
                  (2, 1, {ts}, NULL, 1, 'timeout'),
                  (3, 1, {ts}, 42, 4, NULL),
                  (4, 1, {ts}, 1.8446744073709552E+19, 0, NULL),
                  (5, 1, {ts}, 1, 8, NULL),
                  (6, 1, {ts}, -3, 6, 'out of range'),
                  (7, 1, {ts}, 12, 0, NULL);
                UPDATE meta SET value = 7 WHERE key = 'lastSeq';
                """;
            command.ExecuteNonQuery();
        }
        await using (var store = StoreHarness.Open(settings, time))
        {
            var all = await StoreHarness.AllReadingsAsync(store);
            Assert.Equal([1L, 2, 3, 4, 5, 6, 7], all.Select(r => r.Seq));
            Assert.Equal(
                [ReadingValue.FromDouble(1.5), ReadingValue.None, ReadingValue.FromInt64(42), ReadingValue.FromDouble(18446744073709551615.0), ReadingValue.FromBoolean(true), ReadingValue.FromInt64(-3), ReadingValue.FromDouble(12)],
                all.Select(r => r.Value));
            Assert.Equal((ReadingQuality.Bad, "timeout"), (all[1].Quality, all[1].QualityReason));
            Assert.Equal((ReadingQuality.Uncertain, "out of range"), (all[5].Quality, all[5].QualityReason));
            Assert.Equal(["1.5", "null", "42", "1.8446744073709552E+19", "true", "-3", "12"], Values(RecordJson.TelemetryPayload("pole-0001", all)));
            Assert.Equal(8, await store.AppendReadingAsync(StoreHarness.Reading(time, "water-1", 2)));
        }
    }

    [Fact]
    public async Task A_reading_without_a_value_stays_as_small_as_before()
    {
        // Bad readings come in bursts during an outage: no value and bad quality pack into flags = 1,
        // which SQLite stores in zero bytes, as the previous encoding did.
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        await using (var store = StoreHarness.Open(StoreHarness.Settings(path), time))
        {
            await store.AppendReadingAsync(Reading.Measure(time, "water-1", "flow", ReadingValue.None, "m3", ReadingQuality.Bad, "timeout"));
            await store.AppendReadingAsync(Reading.Measure(time, "water-1", "total", ulong.MaxValue, "m3"));
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT flags, typeof(value), value FROM reading ORDER BY seq";
        using var rows = command.ExecuteReader();
        Assert.True(rows.Read());
        Assert.Equal((1L, "null"), (rows.GetInt64(0), rows.GetString(1)));
        Assert.True(rows.Read());
        Assert.Equal((16L, "integer", -1L), (rows.GetInt64(0), rows.GetString(1), rows.GetInt64(2))); // u64 max: all 64 bits in SQLite's signed INTEGER
    }

    /// <summary>The raw JSON text of each reading's value, as the platform parses it.</summary>
    private static string[] Values(byte[] payload)
    {
        var reader = new System.Text.Json.Utf8JsonReader(payload);
        var values = new List<string>();
        while (reader.Read())
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.ValueTextEquals("value"))
            {
                reader.Read();
                values.Add(Encoding.UTF8.GetString(reader.ValueSpan));
            }
        }
        return [.. values];
    }
}
