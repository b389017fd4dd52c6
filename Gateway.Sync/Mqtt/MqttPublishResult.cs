namespace Gateway.Sync.Mqtt;

/// <summary>What became of one publish.</summary>
public enum MqttPublishOutcome
{
    /// <summary>QoS 1: the broker sent a successful PUBACK. Only now may the message leave the outbox.</summary>
    Delivered,

    /// <summary>QoS 0: handed to the connection; no acknowledgement exists.</summary>
    Sent,

    /// <summary>The broker answered with a failure reason code (MQTT 5.0 §3.4.2.1), or the packet exceeds its maximum size.</summary>
    Rejected,

    /// <summary>The connection ended before a PUBACK arrived: the message may or may not have arrived; publish it again.</summary>
    ConnectionLost,
}

/// <summary>The outcome of a publish and, when rejected, the MQTT 5.0 reason code.</summary>
public readonly record struct MqttPublishResult(MqttPublishOutcome Outcome, byte ReasonCode = 0)
{
    public static MqttPublishResult Delivered { get; } = new(MqttPublishOutcome.Delivered);

    public static MqttPublishResult Sent { get; } = new(MqttPublishOutcome.Sent);

    public static MqttPublishResult ConnectionLost { get; } = new(MqttPublishOutcome.ConnectionLost);

    public bool IsDelivered => Outcome == MqttPublishOutcome.Delivered;
}
