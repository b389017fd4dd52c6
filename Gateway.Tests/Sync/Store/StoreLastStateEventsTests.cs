using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// <see cref="ILastStateEvents"/>: what the platform was last told of each device and camera, which a
/// restarted gateway needs even after the event rows were acknowledged and deleted.
/// </summary>
public sealed class StoreLastStateEventsTests
{
    [Fact]
    public async Task The_last_state_event_per_source_survives_acknowledgement_and_reopening()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db"));
        await using (var store = StoreHarness.Open(settings, time))
        {
            Assert.Empty(store.ReadLastStateEvents()); // "no such event": a fresh store names nobody

            await store.AppendEventAsync(GatewayEvent.Now(time, "device.offline", "meter-1", """{"device":"meter-1","reason":"timeout"}"""));
            await store.AppendEventAsync(GatewayEvent.Now(time, "device.offline", "meter-2"));
            await store.AppendEventAsync(GatewayEvent.Now(time, "device.online", "meter-2"));
            await store.AppendEventAsync(GatewayEvent.Now(time, "camera.lost", "cam-a"));
            await store.AppendEventAsync(GatewayEvent.Now(time, "crowd.gathering", "cam-a"));
            await store.AppendEventAsync(GatewayEvent.Now(time, "gpio.changed", "door"));

            var events = await StoreHarness.AllEventsAsync(store);
            store.Acknowledge(RecordClass.Event, events.Select(e => e.Seq));
            await store.FlushAcknowledgementsAsync();
            Assert.Empty(await StoreHarness.AllEventsAsync(store));
        }

        await using var reopened = StoreHarness.Open(settings, time);
        var last = reopened.ReadLastStateEvents();
        Assert.Equal(
            [("cam-a", "camera.lost"), ("meter-1", "device.offline"), ("meter-2", "device.online")],
            last.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task A_queued_state_event_is_noted_in_its_commit_and_a_source_with_odd_characters_keeps_its_name()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var queue = new IngestQueue(16);
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, ingest: queue);

        await queue.PublishAsync(GatewayEvent.Now(time, "device.offline", "电表:1;x"), CancellationToken.None);
        await Eventually.HoldsAsync(() => store.ReadLastStateEvents().Count == 1, () => "the queued event's state noted");
        Assert.Equal("device.offline", store.ReadLastStateEvents()["电表:1;x"]);

        await queue.PublishAsync(GatewayEvent.Now(time, "device.online", "电表:1;x"), CancellationToken.None);
        await Eventually.HoldsAsync(() => store.ReadLastStateEvents()["电表:1;x"] == "device.online", () => "the newer state replaces the older");
    }
}
