namespace Gateway.Sync.Mqtt.Packets;

/// <summary>One topic filter of a SUBSCRIBE with the maximum QoS asked for.</summary>
public sealed record MqttSubscription(string TopicFilter, MqttQualityOfService MaximumQos = MqttQualityOfService.AtLeastOnce);
