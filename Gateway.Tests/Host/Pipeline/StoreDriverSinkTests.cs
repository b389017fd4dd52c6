using System.Text.Json;
using Gateway.Drivers.Abstractions;
using Gateway.Host.Pipeline;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Store;
using DriverQuality = Gateway.Drivers.Abstractions.ReadingQuality;
using DriverValue = Gateway.Drivers.Abstractions.ReadingValue;
using Microsoft.Extensions.Time.Testing;
using StoreQuality = Gateway.Sync.Store.ReadingQuality;
using StoreValueKind = Gateway.Sync.Store.ReadingValueKind;

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
            new("water-1", "flow", DriverValue.FromDouble(12.5), "m3/h", DriverQuality.Good, null, at, stamp),
            new("water-1", "total", DriverValue.FromUInt64(ulong.MaxValue), "L", DriverQuality.Good, null, at, stamp),
            new("water-1", "count", DriverValue.FromUInt64(42), null, DriverQuality.Good, null, at, stamp),
            new("door-1", "state", DriverValue.FromBoolean(true), null, DriverQuality.Good, null, at, stamp),
            new("water-1", "temp", DriverValue.None, "°C", DriverQuality.Bad, "timeout", at, stamp),
            new("env-1", "humidity", DriverValue.FromInt64(-3), "%RH", DriverQuality.Uncertain, "out of range", at, stamp),
        }, CancellationToken.None);
        await sink.WriteEventAsync(new DriverEvent("device.offline", "water-1", new Dictionary<string, object?> { ["reason"] = "timeout", ["failures"] = 3 }, at, stamp), CancellationToken.None);

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal([1L, 2, 3, 4, 5, 6], readings.Select(r => r.Seq));
        Assert.Equal(12.5, readings[0].Value.AsDouble);
        Assert.Equal((double)ulong.MaxValue, readings[1].Value.AsDouble); // beyond long: keeps its magnitude
        Assert.Equal((StoreValueKind.Integer, 42L), (readings[2].Value.Kind, readings[2].Value.AsInteger));
        Assert.True(readings[3].Value.AsBoolean);
        Assert.True(double.IsNaN(readings[4].Value.AsDouble));
        Assert.Equal((StoreQuality.Bad, "timeout"), (readings[4].Quality, readings[4].QualityReason));
        Assert.Equal((StoreQuality.Uncertain, -3L), (readings[5].Quality, readings[5].Value.AsInteger));
        var stored = Assert.Single(await StoreHarness.AllEventsAsync(store));
        Assert.Equal((7L, "device.offline", "water-1"), (stored.Seq, stored.Type, stored.Source));
        using var data = JsonDocument.Parse(stored.DataJson);
        Assert.Equal("timeout", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal(3, data.RootElement.GetProperty("failures").GetInt32());
    }
}
