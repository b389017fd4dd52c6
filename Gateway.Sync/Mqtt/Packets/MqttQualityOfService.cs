namespace Gateway.Sync.Mqtt.Packets;

/// <summary>Delivery guarantees this client supports (QoS 2 is not used by the gateway).</summary>
public enum MqttQualityOfService : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
}
