using System.Text;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Sync.Uplink;

/// <summary>The health topic's cadence on fake time: one QoS 0, unretained message per interval while connected; none queued while not.</summary>
public sealed class HealthPublisherTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);
    private readonly WatchedFakeTime _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedUplink _uplink = new();
    private readonly CountingSource _source = new();
    private readonly HealthPublisher _publisher;

    public HealthPublisherTests()
    {
        _publisher = new HealthPublisher(_source, _uplink, new UplinkTopics("city", "pole-7"), new HealthPublishingSettings(Interval), _time, NullLogger<HealthPublisher>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.StopAsync(CancellationToken.None);
        _publisher.Dispose();
    }

    /// <summary>Moves the clock one interval, waits until the tick was handled as expected, and settles what was published as sent.</summary>
    private async Task NextIntervalAsync(int published, long skipped)
    {
        _time.Advance(Interval);
        await Eventually.HoldsAsync(() => _uplink.Published.Count == published && _publisher.Skipped == skipped,
            () => $"{published} published and {skipped} skipped (saw {_uplink.Published.Count} and {_publisher.Skipped})");
        foreach (var p in _uplink.Published)
        {
            p.Outcome.TrySetResult(MqttPublishResult.Sent);
        }
    }

    [Fact]
    public async Task Publishes_once_per_interval_only_while_connected()
    {
        await _publisher.StartAsync(CancellationToken.None);
        await _time.WaitForTimersAsync(1);
        Assert.Empty(_uplink.Published); // nothing at start: the first figures go one interval in

        await NextIntervalAsync(published: 1, skipped: 0);
        var first = Assert.Single(_uplink.Published).Message;
        Assert.Equal("city/pole-7/health", first.Topic);
        Assert.Equal(MqttQualityOfService.AtMostOnce, first.Qos);
        Assert.False(first.Retain);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(first.Payload.Span));

        _uplink.State = MqttConnectionState.Failing;
        await NextIntervalAsync(published: 1, skipped: 1);
        await NextIntervalAsync(published: 1, skipped: 2);
        Assert.Single(_uplink.Published); // not queued for later, not even built
        Assert.Equal((1, 2L), (_source.Built, _publisher.Skipped));

        _uplink.State = MqttConnectionState.Connected;
        await NextIntervalAsync(published: 2, skipped: 2);
        Assert.Equal(2, _uplink.Published.Count);
        Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(_uplink.Published.Last().Message.Payload.Span));
        await Eventually.HoldsAsync(() => _publisher.Published == 2, () => "two health messages sent");
    }

    private sealed class CountingSource : IHealthPayloadSource
    {
        private int _built;

        public int Built => Volatile.Read(ref _built);

        public ReadOnlyMemory<byte> Build() => Encoding.UTF8.GetBytes($"{{\"n\":{Interlocked.Increment(ref _built)}}}");
    }
}
