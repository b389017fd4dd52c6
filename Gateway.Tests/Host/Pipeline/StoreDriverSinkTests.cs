using System.Text;
using System.Text.Json;
using Gateway.Host.Pipeline;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Store;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Pipeline;

public class StoreDriverSinkTests
{
    [Fact]
    public async Task Driver_readings_and_events_land_in_the_store_as_the_platform_will_see_them()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time);
        var sink = new StoreDriverSink(store);
        var at = time.GetUtcNow();
        var stamp = time.GetTimestamp();

        await sink.WriteReadingsAsync(new Reading[]
        {
            new("water-1", "flow", ReadingValue.FromDouble(12.5), "m3/h", ReadingQuality.Good, null, at, stamp),
            new("water-1", "total", ReadingValue.FromUInt64(ulong.MaxValue), "L", ReadingQuality.Good, null, at, stamp),
            new("water-1", "count", ReadingValue.FromUInt64(42), null, ReadingQuality.Good, null, at, stamp),
            new("door-1", "state", ReadingValue.FromBoolean(true), null, ReadingQuality.Good, null, at, stamp),
            new("water-1", "temp", ReadingValue.None, "°C", ReadingQuality.Bad, "timeout", at, stamp),
            new("env-1", "humidity", ReadingValue.FromInt64(-3), "%RH", ReadingQuality.Uncertain, "out of range", at, stamp),
            new("water-1", "total2", ReadingValue.FromUInt64(1UL << 63), "L", ReadingQuality.Good, null, at, stamp),
        }, CancellationToken.None);
        await sink.WriteEventAsync(GatewayEvent.Create("device.offline", "water-1", new Dictionary<string, object?> { ["reason"] = "timeout", ["failures"] = 3 }, at, stamp), CancellationToken.None);

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
}
