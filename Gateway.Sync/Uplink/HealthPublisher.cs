using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Uplink;

/// <summary>
/// Publishes the health figures every <see cref="Interval"/> on <see cref="UplinkTopics.Health"/>, at QoS 0,
/// not retained, and only while the uplink is connected: a health figure is live, so one that cannot go
/// now is skipped, never stored or queued for later (a stale figure resent after an outage would
/// mislead, and QoS 1 would take in-flight slots from the stored telemetry). Never the first message
/// after a start: the first goes one interval in, when there is something to say about polls.
/// </summary>
internal sealed class HealthPublisher(
    IHealthPayloadSource source,
    IMqttUplink uplink,
    UplinkTopics topics,
    HealthPublishingSettings settings,
    TimeProvider time,
    ILogger<HealthPublisher> logger) : BackgroundService
{
    private bool _failing;
    private long _published;
    private long _skipped;

    public TimeSpan Interval => settings.Interval;

    /// <summary>Health messages handed to the connection.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Intervals skipped because the uplink was not connected.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PublishOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task PublishOnceAsync(CancellationToken stoppingToken)
    {
        if (uplink.Status.State != MqttConnectionState.Connected)
        {
            Interlocked.Increment(ref _skipped);
            return;
        }
        try
        {
            var message = new MqttApplicationMessage(topics.Health, source.Build(), MqttQualityOfService.AtMostOnce, retain: false);
            // Bounded by the interval: a connection that drops between the check and the write must not queue it.
            using var limit = new CancellationTokenSource(settings.Interval, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, limit.Token);
            var result = await uplink.PublishAsync(message, linked.Token).ConfigureAwait(false);
            if (result.Outcome is MqttPublishOutcome.Sent or MqttPublishOutcome.Delivered)
            {
                Interlocked.Increment(ref _published);
                _failing = false;
                return;
            }
            Interlocked.Increment(ref _skipped);
            NoteFailure(result.Outcome.ToString());
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _skipped);
            NoteFailure("not sent within the interval");
        }
#pragma warning disable CA1031 // the figures' source failing must not stop the next interval
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _skipped);
            if (!_failing)
            {
                Log.HealthBuildFailed(logger, ex);
            }
            _failing = true;
        }
    }

    private void NoteFailure(string why)
    {
        if (!_failing)
        {
            Log.HealthNotSent(logger, why);
        }
        _failing = true;
    }
}

/// <summary>How often <see cref="HealthPublisher"/> publishes (<c>health.intervalSeconds</c>).</summary>
public sealed record HealthPublishingSettings(TimeSpan Interval);
