using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Sync.Store;
using Gateway.Tests.Inference.Analytics;
using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// The times inside event data (<c>sinceTs</c>, <c>firstSeenTs</c>; <see cref="GatewayEvent.DataTimes"/>)
/// are dated like the event (SPEC section 3): a crowd and a cup seen by the real analysis on a pole
/// that booted at 1970 are stored with their uptime, never as 1970, and dated with the event once time is known.
/// </summary>
public sealed class StoreEventDataTimesTests
{
    private static readonly DateTimeOffset Floor = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SinceTs_and_firstSeenTs_taken_at_1970_are_stored_as_uptime_and_dated_with_their_event_when_the_clock_is_set()
    {
        using var dir = new TempDirectory();
        var time = new FakeBootClock(DateTimeOffset.UnixEpoch);
        var clock = new ClockSync(Floor, requireTimeSync: false);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, clock);
        var camera = AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 10);
        camera.Litter = AnalyticsHarness.LitterCamera(minSeconds: 5).Litter;
        var h = new AnalyticsHarness(camera, dir.Path, time) { StoreAtOnce = false };

        time.Advance(TimeSpan.FromSeconds(3));
        Detection[] crowdAndCup = [.. Enumerable.Range(0, 6).Select(i => AnalyticsHarness.Person(40 + (i * 60), 350)), AnalyticsHarness.Box("bottle", 500, 400, 530, 450)];
        h.Hold(crowdAndCup, 14);
        foreach (var (e, _) in h.Events)
        {
            await store.AppendEventAsync(e);
        }

        var unsynced = await StoreHarness.AllEventsAsync(store);
        Assert.Equal(["crowd.gathering", "litter.detected"], unsynced.Select(e => e.Type).Order(StringComparer.Ordinal));
        foreach (var e in unsynced)
        {
            var payload = Encoding.UTF8.GetString(RecordJson.EventPayload("pole-1", e));
            Assert.DoesNotContain("1970", payload, StringComparison.Ordinal);
            var (field, uptime, seconds) = Field(e);
            var data = JsonDocument.Parse(e.DataJson).RootElement;
            Assert.Equal(JsonValueKind.Null, data.GetProperty(field).ValueKind);
            // The moment it names, on the monotonic clock: the event's own uptime less alertSeconds / minSeconds.
            Assert.Equal(e.Time.UptimeMilliseconds - (seconds * 1000), data.GetProperty(uptime).GetInt64());
        }

        // NTP steps the wall clock; the next write dates this boot's records, the fields inside the data too.
        time.Advance(TimeSpan.FromSeconds(4));
        var synced = new DateTimeOffset(2026, 11, 21, 6, 0, 30, TimeSpan.Zero);
        time.StepWallClock(synced);
        await store.AppendReadingAsync(StoreHarness.Reading(time, "env-1", 21.7));

        var dated = await StoreHarness.AllEventsAsync(store);
        Assert.Equal(2, dated.Count);
        foreach (var e in dated)
        {
            var (field, uptime, seconds) = Field(e);
            var data = JsonDocument.Parse(e.DataJson).RootElement;
            Assert.NotNull(e.Time.Timestamp);
            Assert.Equal(e.Time.Timestamp!.Value.AddSeconds(-seconds), DateTimeOffset.Parse(data.GetProperty(field).GetString()!, CultureInfo.InvariantCulture));
            Assert.False(data.TryGetProperty(uptime, out _), $"{e.Type}: {uptime} left after dating: {e.DataJson}");
        }

        // Once time is known the analysis's own wall clock is dated at insert, as the event is.
        h.Hold([], 20);
        h.Hold(crowdAndCup, 14);
        var late = h.Events.Select(x => x.Event).Last(x => x.Type == "crowd.gathering");
        await store.AppendEventAsync(late);
        var stored = (await StoreHarness.AllEventsAsync(store)).Last();
        Assert.Equal(stored.Time.Timestamp!.Value.AddSeconds(-10).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            JsonDocument.Parse(stored.DataJson).RootElement.GetProperty("sinceTs").GetString());
    }

    private static (string Field, string Uptime, int Seconds) Field(StoredEvent e) =>
        e.Type == "crowd.gathering" ? ("sinceTs", "sinceUptimeMs", 10) : ("firstSeenTs", "firstSeenUptimeMs", 5);
}
