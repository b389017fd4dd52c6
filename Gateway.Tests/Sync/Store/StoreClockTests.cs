using System.Text;
using System.Text.Json;
using Gateway.Sync.Store;
using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Store;

/// <summary>Issue 3 / SPEC section 3: records measured before the clock is trusted are dated once it is, never as 1970.</summary>
public sealed class StoreClockTests
{
    private static readonly DateTimeOffset Floor = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Readings_taken_at_1970_keep_uptime_and_are_dated_when_the_clock_jumps_to_real_time()
    {
        using var dir = new TempDirectory();
        var time = new FakeBootClock(DateTimeOffset.UnixEpoch); // a pole without RTC boots at 1970
        var clock = new ClockSync(Floor, requireTimeSync: false);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);

        time.Advance(TimeSpan.FromSeconds(3));
        var first = await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 21.5));
        time.Advance(TimeSpan.FromSeconds(5));
        var gpio = await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", """{"state":true}"""));

        var early = await StoreHarness.AllReadingsAsync(store);
        var reading = Assert.Single(early);
        Assert.Null(reading.Time.Timestamp);
        Assert.Equal(("boot-a", 3000L), (reading.Time.BootId, reading.Time.UptimeMilliseconds));
        var json = Render(reading);
        Assert.DoesNotContain("1970", json, StringComparison.Ordinal);
        var element = JsonDocument.Parse(json).RootElement;
        Assert.Equal("unsynced", element.GetProperty("clock").GetString());
        Assert.Equal(JsonValueKind.Null, element.GetProperty("ts").ValueKind);
        var eventJson = Encoding.UTF8.GetString(RecordJson.EventPayload("pole-1", Assert.Single(await StoreHarness.AllEventsAsync(store))));
        Assert.DoesNotContain("1970", eventJson, StringComparison.Ordinal);
        Assert.Contains("\"clock\":\"unsynced\"", eventJson, StringComparison.Ordinal);

        // NTP steps the wall clock 12 s of uptime later; the next write dates the earlier records.
        time.Advance(TimeSpan.FromSeconds(4));
        var synced = new DateTimeOffset(2026, 11, 21, 6, 0, 12, TimeSpan.Zero);
        time.StepWallClock(synced);
        var third = await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 21.7));

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal([first, third], readings.Select(r => r.Seq));
        Assert.Equal(synced.AddSeconds(-9), readings[0].Time.Timestamp); // measured at uptime 3 s, now is uptime 12 s
        Assert.Equal(synced, readings[1].Time.Timestamp);
        Assert.Null(readings[0].Time.BootId);
        var e = Assert.Single(await StoreHarness.AllEventsAsync(store));
        Assert.Equal(gpio, e.Seq);
        Assert.Equal(synced.AddSeconds(-4), e.Time.Timestamp);
        Assert.Equal("2026-11-21T06:00:03.000Z", JsonDocument.Parse(Render(readings[0])).RootElement.GetProperty("ts").GetString());
    }

    [Fact]
    public async Task With_requireTimeSync_a_plausible_clock_is_trusted_only_after_a_time_source_reports()
    {
        using var dir = new TempDirectory();
        var rtc = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero); // a drifted RTC: past the floor, still wrong
        var time = new FakeBootClock(rtc);
        var clock = new ClockSync(Floor, requireTimeSync: true);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);

        await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 1));
        Assert.Null(Assert.Single(await StoreHarness.AllReadingsAsync(store)).Time.Timestamp);

        time.Advance(TimeSpan.FromSeconds(30));
        var real = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        time.StepWallClock(real);
        clock.ReportSynchronized("gps-1");
        await store.FlushAcknowledgementsAsync(); // queued behind the fix the report triggered

        Assert.Equal(real.AddSeconds(-30), Assert.Single(await StoreHarness.AllReadingsAsync(store)).Time.Timestamp);
    }

    [Fact]
    public async Task Records_of_an_earlier_boot_cannot_be_dated_and_stay_marked_unsynced()
    {
        using var dir = new TempDirectory();
        var time = new FakeBootClock(DateTimeOffset.UnixEpoch);
        var clock = new ClockSync(Floor, requireTimeSync: false);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time, clock))
        {
            await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 1));
        }
        time.StepWallClock(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        await using (var store = StoreHarness.Open(settings with { BootId = () => "boot-b" }, time, clock))
        {
            await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 2));
            var readings = await StoreHarness.AllReadingsAsync(store);
            Assert.Null(readings[0].Time.Timestamp);
            Assert.Equal("boot-a", readings[0].Time.BootId);
            Assert.NotNull(readings[1].Time.Timestamp);
        }
    }

    [Fact]
    public async Task A_GPS_fix_dates_earlier_and_later_records_while_the_wall_clock_stays_at_1970()
    {
        // The issue: the gateway cannot set the system clock, so it stays at 1970 for good.
        using var dir = new TempDirectory();
        var time = new FakeBootClock(DateTimeOffset.UnixEpoch);
        var clock = new ClockSync(Floor, requireTimeSync: false, time);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);

        time.Advance(TimeSpan.FromSeconds(3));
        await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 21.5));
        time.Advance(TimeSpan.FromSeconds(2));
        await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door-1", """{"state":true}"""));
        Assert.False(clock.IsTimeKnown);
        Assert.All(await StoreHarness.AllReadingsAsync(store), r => Assert.Null(r.Time.Timestamp));

        // The RMC sentence for 06:00:12 arrives at uptime 12 s; the wall clock still says 1970.
        time.Advance(TimeSpan.FromSeconds(7));
        var gps = new DateTimeOffset(2026, 11, 21, 6, 0, 12, TimeSpan.Zero);
        clock.ReportReferenceTime("gnss:gps-1", gps, time.GetTimestamp());
        Assert.True(clock.IsTimeKnown);
        Assert.False(clock.IsTrusted(time.GetUtcNow()));
        await store.FlushAcknowledgementsAsync(); // queued behind the fix the report triggered
        time.Advance(TimeSpan.FromSeconds(10));
        await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 21.7));

        Assert.True(time.GetUtcNow().Year == 1970);
        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal([gps.AddSeconds(-9), gps.AddSeconds(10)], readings.Select(r => r.Time.Timestamp));
        Assert.All(readings, r => Assert.Null(r.Time.BootId));
        Assert.Equal(gps.AddSeconds(-7), Assert.Single(await StoreHarness.AllEventsAsync(store)).Time.Timestamp);
        Assert.Equal("2026-11-21T06:00:22.000Z", JsonDocument.Parse(Render(readings[1])).RootElement.GetProperty("ts").GetString());
    }

    [Fact]
    public async Task GPS_time_is_preferred_to_a_plausible_but_drifted_wall_clock()
    {
        using var dir = new TempDirectory();
        var time = new FakeBootClock(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)); // a drifted RTC past the floor
        var clock = new ClockSync(Floor, requireTimeSync: false, time);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);

        time.Advance(TimeSpan.FromSeconds(4));
        var gps = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        clock.ReportReferenceTime("gnss:gps-1", gps, time.GetTimestamp());
        time.Advance(TimeSpan.FromSeconds(1));
        await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 1));

        Assert.Equal(gps.AddSeconds(1), Assert.Single(await StoreHarness.AllReadingsAsync(store)).Time.Timestamp);
    }

    [Fact]
    public async Task No_record_is_ever_dated_before_the_floor()
    {
        using var dir = new TempDirectory();
        var time = new FakeBootClock(DateTimeOffset.UnixEpoch);
        var floor = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        var clock = new ClockSync(floor, requireTimeSync: false, time);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);

        time.Advance(TimeSpan.FromSeconds(2));
        var early = await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 1)); // uptime 2 s
        time.Advance(TimeSpan.FromSeconds(6));
        var late = await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 2)); // uptime 8 s

        // A receiver without almanac reports 2006 (a GPS week rollover): not time, ignored.
        clock.ReportReferenceTime("gnss:gps-1", new DateTimeOffset(2006, 4, 2, 0, 0, 0, TimeSpan.Zero), time.GetTimestamp());
        Assert.False(clock.IsTimeKnown);

        // Real time 5 s past the floor at uptime 10 s: uptime 2 s would be 3 s before the floor.
        time.Advance(TimeSpan.FromSeconds(2));
        clock.ReportReferenceTime("gnss:gps-1", floor.AddSeconds(5), time.GetTimestamp());
        await store.FlushAcknowledgementsAsync();

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal([early, late], readings.Select(r => r.Seq));
        Assert.Null(readings[0].Time.Timestamp);
        Assert.Equal(("boot-a", 2000L), (readings[0].Time.BootId, readings[0].Time.UptimeMilliseconds));
        Assert.Equal(floor.AddSeconds(3), readings[1].Time.Timestamp);
        Assert.All(readings, r => Assert.True(r.Time.Timestamp is null || r.Time.Timestamp >= floor));
    }

    private static string Render(StoredReading reading)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            RecordJson.WriteReading(json, reading);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
