using System.Text.Json;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Uplink;

/// <summary>
/// The forwarder against a scripted uplink, on fake time: the clock moves one <see cref="Step"/> per
/// round of the test's waits, in lockstep with what the test delivers, so a batch delay, a retry
/// pause or a drain rate never depends on how fast the machine runs the forwarder.
/// </summary>
public sealed class UplinkForwarderTests : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new("gw-forwarder");
    private readonly SqliteRecordStore _store;
    private readonly ScriptedUplink _uplink = new(window: 8);
    private readonly UplinkTopics _topics = new("city", "pole-0001");
    private readonly CancellationTokenSource _stop = new();
    private UplinkForwarder? _forwarder;

    public UplinkForwarderTests()
    {
        _store = StoreHarness.Open(StoreHarness.Settings(_dir.File("buffer.db")), _time,
            new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), false, _time));
    }

    private UplinkForwarder Start(ForwarderSettings? settings = null)
    {
        _forwarder = new UplinkForwarder(_store, _uplink, _topics, new NodeIdentity("pole-0001", "0.1.0"),
            (settings ?? new ForwarderSettings { TelemetryBatchSize = 10, TelemetryBatchDelay = TimeSpan.FromMilliseconds(20), RejectedRetryDelay = TimeSpan.FromMilliseconds(50) })
                with { SettleTimeout = TimeSpan.FromMilliseconds(200) }, // the fake never answers a publish that raced onto a new connection
            _time, NullLogger<UplinkForwarder>.Instance);
        _ = _forwarder.StartAsync(_stop.Token);
        return _forwarder;
    }

    private async Task<long[]> AppendReadingsAsync(int count)
    {
        var range = await _store.AppendReadingsAsync([.. Enumerable.Range(0, count).Select(i => StoreHarness.Reading(_time, "water-1", i))]);
        return [.. Enumerable.Range(0, count).Select(i => range.First + i)];
    }

    private static List<long> SeqsOf(ScriptedUplink.Publish p)
    {
        using var doc = JsonDocument.Parse(p.Message.Payload);
        return doc.RootElement.TryGetProperty("readings", out var readings)
            ? [.. readings.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64())]
            : [doc.RootElement.GetProperty("seq").GetInt64()];
    }

    /// <summary>Waits until <paramref name="condition"/> holds, moving the clock one step per round.</summary>
    private Task WaitForAsync(Func<bool> condition, string what) => RunUntilAsync(condition, what, deliver: false);

    /// <summary>Delivers publishes as they come until <paramref name="done"/> holds, moving the clock one step per round.</summary>
    private Task DeliverUntilAsync(Func<bool> done, string what) => RunUntilAsync(done, what, deliver: true);

    private async Task RunUntilAsync(Func<bool> done, string what, bool deliver)
    {
        var rounds = 0;
        await Eventually.HoldsAsync(() =>
        {
            if (deliver)
            {
                _uplink.SettleAll(MqttPublishResult.Delivered);
            }
            if (done())
            {
                return true;
            }
            if (++rounds % 4 == 0)
            {
                _time.Advance(Step);
            }
            return false;
        }, () => $"{what}; published: {_uplink.Published.Count}, at {_time.GetUtcNow():HH:mm:ss.fff}");
    }

    private async Task<long> PendingReadingsAfterFlushAsync()
    {
        await _store.FlushAcknowledgementsAsync();
        return _store.GetStatistics().PendingReadings;
    }

    [Fact]
    public async Task Events_go_first_then_telemetry_in_batches_in_seq_order_and_leave_the_store_only_when_delivered()
    {
        var readings = await AppendReadingsAsync(35);
        var eventSeq = await _store.AppendEventAsync(GatewayEvent.Now(_time, "gpio.changed", "door-1", """{"state":true}"""));
        Start();

        await WaitForAsync(() => _uplink.Published.Count >= 5, "the first window");
        var first = _uplink.Published.ToArray();
        Assert.Equal(_topics.Events, first[0].Message.Topic); // the event was stored last but goes first
        Assert.Equal([eventSeq], SeqsOf(first[0]));
        Assert.All(first.Skip(1), p => Assert.Equal(_topics.Telemetry, p.Message.Topic));
        // Nothing delivered yet: nothing may leave the store.
        Assert.Equal(35, await PendingReadingsAfterFlushAsync());

        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredReadings == 35, "all readings delivered");

        var telemetry = _uplink.Published.Where(p => p.Message.Topic == _topics.Telemetry).ToList();
        Assert.Equal([10, 10, 10, 5], telemetry.Select(p => SeqsOf(p).Count));
        Assert.Equal(readings, telemetry.SelectMany(SeqsOf));
        Assert.All(_uplink.Published, p => Assert.Equal(MqttQualityOfService.AtLeastOnce, p.Message.Qos));
        Assert.Equal(0, await PendingReadingsAfterFlushAsync());
        Assert.Equal(0, _store.GetStatistics().PendingEvents);
    }

    [Fact]
    public async Task A_lost_connection_resends_everything_undelivered_with_the_original_seqs_in_order()
    {
        var readings = await AppendReadingsAsync(60);
        Start();
        await WaitForAsync(() => _uplink.Published.Count >= 6, "a full window");
        // The first two batches get their PUBACK, then the connection drops with four in flight.
        var inFlight = _uplink.Published.ToArray();
        inFlight[0].Outcome.SetResult(MqttPublishResult.Delivered);
        inFlight[1].Outcome.SetResult(MqttPublishResult.Delivered);
        await WaitForAsync(() => _forwarder!.Status.DeliveredReadings == 20, "two batches acknowledged");
        _uplink.DropConnection();

        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredReadings >= 60, "the rest after the reconnect");

        var afterReconnect = _uplink.Published.Where(p => p.Connection == 2).SelectMany(SeqsOf).ToList();
        Assert.Equal(readings[20..], afterReconnect.Distinct().Order()); // every undelivered seq again…
        Assert.Equal(readings[20], afterReconnect[0]); // …starting from the first undelivered, in order
        Assert.Equal(afterReconnect.Order(), afterReconnect);
        Assert.Equal(0, await PendingReadingsAfterFlushAsync());
    }

    [Fact]
    public async Task A_reconnect_while_idle_starts_a_new_session()
    {
        await AppendReadingsAsync(10);
        Start();
        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredReadings == 10, "the first readings");
        Assert.Equal(1, _forwarder!.Status.Sessions);

        _uplink.DropConnection(); // nothing in flight, nothing to send: the session sits idle

        await WaitForAsync(() => _forwarder.Status.Sessions == 2, "a second session after the reconnect");
        var later = await AppendReadingsAsync(3);
        await DeliverUntilAsync(() => _forwarder.Status.DeliveredReadings == 13, "readings after the reconnect");
        Assert.All(_uplink.Published.Where(p => SeqsOf(p).Contains(later[0])), p => Assert.Equal(2, p.Connection));
    }

    [Fact]
    public async Task Nothing_that_was_not_acknowledged_leaves_the_store()
    {
        await AppendReadingsAsync(100);
        Start();
        await WaitForAsync(() => _uplink.Published.Count >= 8, "a full window");
        for (var i = 0; i < 5; i++)
        {
            _uplink.DropConnection(); // every publish lost, again and again
            await WaitForAsync(() => _uplink.Published.Count(p => p.Connection == i + 2) >= 4, "the resend");
        }

        Assert.Equal(0, _forwarder!.Status.DeliveredReadings);
        Assert.Equal(100, await PendingReadingsAfterFlushAsync());
        // Each new connection starts again from seq 1.
        Assert.All(Enumerable.Range(1, 6), c => Assert.Equal(1, SeqsOf(_uplink.Published.First(p => p.Connection == c))[0]));
    }

    [Fact]
    public async Task A_rejected_message_is_not_dropped_but_retried_after_a_pause()
    {
        var seq = await _store.AppendEventAsync(GatewayEvent.Now(_time, "device.offline", "water-1"));
        Start();
        await WaitForAsync(() => !_uplink.Published.IsEmpty, "the event");
        _uplink.Published.First().Outcome.SetResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x97));

        await WaitForAsync(() => _uplink.Published.Count >= 2, "the retry");
        Assert.Equal([seq], SeqsOf(_uplink.Published.ElementAt(1)));
        Assert.Equal(1, _store.GetStatistics().PendingEvents);
        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredEvents == 1, "delivery");
        await _store.FlushAcknowledgementsAsync();
        Assert.Equal(0, _store.GetStatistics().PendingEvents);
    }

    [Fact]
    public async Task Live_readings_overtake_a_backlog_instead_of_waiting_behind_it()
    {
        var backlog = await AppendReadingsAsync(2000);
        Start(new ForwarderSettings { TelemetryBatchSize = 10, TelemetryBatchDelay = TimeSpan.FromMilliseconds(20) });
        await WaitForAsync(() => _uplink.Published.Count >= 8, "the backlog drain to start");

        var live = await AppendReadingsAsync(3);
        await DeliverUntilAsync(() => _uplink.Published.Any(p => SeqsOf(p).Contains(live[0])), "the live readings");

        var sentBacklog = _uplink.Published.SelectMany(SeqsOf).Count(s => s <= backlog[^1]);
        Assert.True(sentBacklog < 1000, $"live readings waited for {sentBacklog} backlog readings");
        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredReadings >= 2003, "the whole backlog");
        Assert.Equal(0, await PendingReadingsAfterFlushAsync());
    }

    [Fact]
    public async Task A_snapshot_follows_its_event_on_its_own_topic()
    {
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9 };
        var seq = await _store.AppendEventAsync(GatewayEvent.Now(_time, "litter.detected", "cam-north", """{"zone":"kerb"}""", jpeg));
        Start();

        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredSnapshots == 1, "the snapshot");

        var topics = _uplink.Published.Select(p => p.Message.Topic).ToList();
        Assert.Equal([_topics.Events, $"city/pole-0001/snapshots/{seq}"], topics);
        Assert.Equal(jpeg, _uplink.Published.Last().Message.Payload.ToArray());
        using var doc = JsonDocument.Parse(_uplink.Published.First().Message.Payload);
        Assert.True(doc.RootElement.GetProperty("snapshot").GetBoolean());
    }

    [Fact]
    public async Task Backlog_drain_rate_limit_paces_the_backlog()
    {
        await AppendReadingsAsync(100);
        Start(new ForwarderSettings { TelemetryBatchSize = 50, TelemetryBatchDelay = TimeSpan.FromMilliseconds(20), DrainReadingsPerSecond = 20 });

        // A bucket of 20 readings per second lets the first 20 go at once and then paces the rest.
        await DeliverUntilAsync(() => _forwarder!.Status.DeliveredReadings >= 20, "the first bucket");
        var sizes = _uplink.Published.Select(p => SeqsOf(p).Count).ToList();
        Assert.Equal(20, sizes[0]);
        Assert.All(sizes, s => Assert.True(s <= 20, $"a batch of {s} exceeds the bucket"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _uplink.SettleAll(MqttPublishResult.ConnectionLost);
        if (_forwarder is not null)
        {
            await _forwarder.StopAsync(CancellationToken.None);
            _forwarder.Dispose();
        }
        await _store.DisposeAsync();
        _stop.Dispose();
        _dir.Dispose();
    }
}
