using System.Text;
using System.Text.Json;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Sync.Uplink;

/// <summary>
/// The issue "a pole whose clock cannot be set never dates its data": records measured before time
/// is known wait on the node (storage.clockHoldSeconds) and leave dated; only without any time
/// source in that while do they go as "clock":"unsynced". The wall clock stays at 1970 throughout.
/// </summary>
public sealed class UplinkClockHoldTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Floor = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(10);
    private readonly TempDirectory _dir = new("gw-clockhold");
    private readonly FakeBootClock _time = new(DateTimeOffset.UnixEpoch);
    private readonly ClockSync _clock;
    private readonly ScriptedUplink _uplink = new(window: 8);
    private readonly UplinkTopics _topics = new("city", "pole-0001");
    private readonly CancellationTokenSource _stop = new();
    private SqliteRecordStore _store;
    private UplinkForwarder? _forwarder;

    public UplinkClockHoldTests()
    {
        _clock = new ClockSync(Floor, requireTimeSync: false, _time);
        _store = StoreHarness.Open(StoreHarness.Settings(_dir.File("buffer.db")), _time, _clock);
    }

    private UplinkForwarder Start()
    {
        var settings = ForwarderSettings.From(new Gateway.Sync.MqttOptions(), new Gateway.Sync.StorageOptions()) with { TelemetryBatchSize = 10 };
        Assert.Equal(Hold, settings.ClockHold); // the default of the issue
        _forwarder = new UplinkForwarder(_store, _uplink, _topics, new NodeIdentity("pole-0001", "0.1.0"), settings, _time, NullLogger<UplinkForwarder>.Instance);
        _ = _forwarder.StartAsync(_stop.Token);
        return _forwarder;
    }

    /// <summary>Moves fake time on in steps, giving the forwarder real time to act on each, delivering what it publishes.</summary>
    private async Task RunForAsync(TimeSpan span, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < span; t += step)
        {
            _time.Advance(step);
            await Task.Delay(15);
            _uplink.SettleAll(MqttPublishResult.Delivered);
        }
    }

    private async Task RunUntilAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; published: {_uplink.Published.Count}");
            await RunForAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    private List<JsonElement> Records() =>
        [.. _uplink.Published.SelectMany(p =>
        {
            var root = JsonDocument.Parse(p.Message.Payload).RootElement;
            return root.TryGetProperty("readings", out var readings) ? readings.EnumerateArray().ToList() : [root];
        })];

    [Fact]
    public async Task Records_measured_before_a_GPS_fix_wait_for_it_and_leave_with_their_corrected_ts()
    {
        _time.Advance(TimeSpan.FromSeconds(3));
        var early = await _store.AppendReadingAsync(StoreHarness.Reading(_time, "env-1", 21.5));
        _time.Advance(TimeSpan.FromSeconds(2));
        var gpio = await _store.AppendEventAsync(GatewayEvent.Now(_time, "gpio.changed", "door-1", """{"state":true}"""));
        Start();

        await RunForAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        Assert.Empty(_uplink.Published); // within the hold and no time yet: nothing leaves with "ts":null

        var gps = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        var atFix = _time.GetTimestamp();
        _clock.ReportReferenceTime("gnss:gps-1", gps, atFix);
        var later = await _store.AppendReadingAsync(StoreHarness.Reading(_time, "env-1", 21.7));
        await RunUntilAsync(() => _forwarder!.Status.DeliveredReadings == 2 && _forwarder.Status.DeliveredEvents == 1, "the dated records");

        Assert.Equal(1970, _time.GetUtcNow().Year);
        var records = Records();
        Assert.All(records, r => Assert.False(r.TryGetProperty("clock", out _)));
        string Ts(long seq) => records.Single(r => r.GetProperty("seq").GetInt64() == seq).GetProperty("ts").GetString()!;
        var sinceBoot = TimeSpan.FromTicks(atFix); // FakeBootClock timestamps are ticks since boot
        Assert.Equal(RecordJson.FormatTimestamp(gps - sinceBoot + TimeSpan.FromSeconds(3)), Ts(early));
        Assert.Equal(RecordJson.FormatTimestamp(gps - sinceBoot + TimeSpan.FromSeconds(5)), Ts(gpio));
        Assert.Equal(RecordJson.FormatTimestamp(gps), Ts(later));
    }

    [Fact]
    public async Task Without_any_time_source_records_leave_unsynced_once_the_hold_is_over()
    {
        _time.Advance(TimeSpan.FromSeconds(3));
        var reading = await _store.AppendReadingAsync(StoreHarness.Reading(_time, "env-1", 21.5));
        Start();

        await RunForAsync(Hold - TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)); // measured at 3 s, now 9 min 33 s
        Assert.Empty(_uplink.Published);

        await RunUntilAsync(() => _forwarder!.Status.DeliveredReadings == 1, "the unsynced reading");

        Assert.True(_time.GetTimestamp() >= (Hold + TimeSpan.FromSeconds(3)).Ticks, "left before the hold was over");
        var r = Assert.Single(Records());
        Assert.Equal(reading, r.GetProperty("seq").GetInt64());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("ts").ValueKind);
        Assert.Equal("unsynced", r.GetProperty("clock").GetString());
        Assert.Equal(3000, r.GetProperty("uptimeMs").GetInt64());
        Assert.DoesNotContain("1970", Encoding.UTF8.GetString(_uplink.Published.Single().Message.Payload.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Untimed_records_of_an_earlier_boot_are_not_held_since_nothing_can_date_them()
    {
        await _store.AppendReadingAsync(StoreHarness.Reading(_time, "env-1", 1));
        await _store.DisposeAsync();
        _store = StoreHarness.Open(StoreHarness.Settings(_dir.File("buffer.db")) with { BootId = () => "boot-b" }, _time, _clock);
        Start();

        await RunUntilAsync(() => _forwarder!.Status.DeliveredReadings == 1, "the earlier boot's reading");

        Assert.True(_time.GetTimestamp() < TimeSpan.FromMinutes(1).Ticks);
        var r = Assert.Single(Records());
        Assert.Equal("unsynced", r.GetProperty("clock").GetString());
        Assert.Equal("boot-a", r.GetProperty("boot").GetString());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(86401)]
    [InlineData(double.NaN)]
    public void A_clock_hold_outside_0_to_a_day_is_refused(double seconds)
    {
        var e = Assert.Throws<ArgumentException>(() => ForwarderSettings.From(new Gateway.Sync.MqttOptions(), new Gateway.Sync.StorageOptions { ClockHoldSeconds = seconds }));
        Assert.Contains("storage.clockHoldSeconds", e.Message, StringComparison.Ordinal);
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
