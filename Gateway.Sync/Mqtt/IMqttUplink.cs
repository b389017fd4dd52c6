using System.Threading.Channels;

namespace Gateway.Sync.Mqtt;

/// <summary>
/// The supervised MQTT connection to the city brain: publishes survive reconnects as explicit
/// outcomes, received messages (commands) come out of one bounded queue across connections, and
/// the connection state is observable for health. Registered with <c>AddMqttUplink</c>.
/// </summary>
public interface IMqttUplink
{
    /// <summary>A snapshot of the connection state (never contains credentials).</summary>
    MqttUplinkStatus Status { get; }

    /// <summary>
    /// Messages received on the subscriptions, in arrival order across reconnects. Bounded
    /// (<c>mqtt.incomingQueueCapacity</c>): while it is full the client stops reading from the broker,
    /// and a QoS 1 message is acknowledged only after it entered this queue. Reading it never runs
    /// connection logic.
    /// </summary>
    ChannelReader<MqttApplicationMessage> Incoming { get; }

    /// <summary>
    /// Waits until connected and an in-flight slot is free, queues the message, and returns the task
    /// of its outcome: <see cref="MqttPublishOutcome.Delivered"/> when the PUBACK arrived (QoS 1),
    /// <see cref="MqttPublishOutcome.Sent"/> (QoS 0), <see cref="MqttPublishOutcome.Rejected"/>, or
    /// <see cref="MqttPublishOutcome.ConnectionLost"/> — then the message must be published again.
    /// Awaiting the returned task separately lets a forwarder keep a whole window in flight.
    /// </summary>
    ValueTask<Task<MqttPublishResult>> EnqueuePublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken);

    /// <summary><see cref="EnqueuePublishAsync"/> and its outcome in one call.</summary>
    Task<MqttPublishResult> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken);

    /// <summary>Completes once the uplink is connected (immediately if it is).</summary>
    Task WaitUntilConnectedAsync(CancellationToken cancellationToken);
}
