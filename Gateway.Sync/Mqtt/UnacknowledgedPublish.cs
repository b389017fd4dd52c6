namespace Gateway.Sync.Mqtt;

/// <summary>
/// A QoS 1 publish still unacknowledged when its connection ended, carried by the session to the
/// next connection (MQTT 5.0 §4.4); <paramref name="Outcome"/> is the publisher's pending outcome.
/// </summary>
internal sealed record UnacknowledgedPublish(ushort PacketId, MqttApplicationMessage Message, TaskCompletionSource<MqttPublishResult> Outcome, long Order);
