using System.Collections.Concurrent;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// <see cref="GatewayEvent.Stored"/>: how a producer learns the seq a later event names
/// (crowd.dispersed's gatheringSeq, litter.cleared's detectedSeq) — after the commit, with the seq
/// the platform will see, never for a commit that failed.
/// </summary>
public sealed class StoreEventStoredCallbackTests
{
    [Fact]
    public async Task A_queued_event_is_told_its_seq_once_committed_and_only_then()
    {
        using var dir = new TempDirectory();
        var time = new WatchedFakeTime(StoreHarness.Now);
        var queue = new IngestQueue(64);
        var broken = true;
        var settings = StoreHarness.Settings(dir.File("b.db")) with { CommitFault = () => Volatile.Read(ref broken) ? new IOException("Input/output error") : null };
        await using var store = StoreHarness.Open(settings, time, ingest: queue);
        var timers = time.TimersCreated;
        var told = new ConcurrentQueue<(string Source, long Seq)>();

        await queue.PublishAsync(StoreHarness.Reading(time, "m", 1), CancellationToken.None);
        await queue.PublishAsync(GatewayEvent.Now(time, "crowd.gathering", "cam-a") with { Stored = s => told.Enqueue(("cam-a", s)) }, CancellationToken.None);
        await queue.PublishAsync(GatewayEvent.Now(time, "device.offline", "no-callback"), CancellationToken.None);
        await queue.PublishAsync(GatewayEvent.Now(time, "litter.detected", "cam-b") with { Stored = s => told.Enqueue(("cam-b", s)) }, CancellationToken.None);
        await time.WaitForTimersAsync(timers + 1); // the commit failed; its retry waits
        Assert.Empty(told);

        Volatile.Write(ref broken, false);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => told.Count == 2, () => $"{told.Count} of 2 producers told their seq");

        var events = await StoreHarness.AllEventsAsync(store);
        Assert.Equal([("cam-a", events.Single(e => e.Source == "cam-a").Seq), ("cam-b", events.Single(e => e.Source == "cam-b").Seq)], told.ToArray());
        Assert.Equal([2L, 4L], told.Select(t => t.Seq));
    }

    [Fact]
    public async Task An_appended_event_is_told_the_seq_the_append_returns_and_a_throwing_producer_does_not_stop_the_writer()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var logger = new CapturingLogger<StoreEventStoredCallbackTests>();
        await using var store = StoreHarness.Open(StoreHarness.Settings(dir.File("b.db")), time, logger: logger);
        long told = 0;

        var seq = await store.AppendEventAsync(GatewayEvent.Now(time, "litter.detected", "cam-a") with { Stored = s => told = s });
        Assert.Equal(seq, told);

        var failing = await store.AppendEventAsync(GatewayEvent.Now(time, "crowd.gathering", "cam-b") with { Stored = _ => throw new InvalidOperationException("producer bug") });
        Assert.Equal(seq + 1, failing);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("crowd.gathering from cam-b failed when told its seq", StringComparison.Ordinal));
        Assert.Equal(seq + 2, await store.AppendReadingAsync(StoreHarness.Reading(time, "m", 1)));
    }
}
