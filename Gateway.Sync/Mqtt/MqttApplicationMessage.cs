using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

/// <summary>An application message: what is published, received, or left as the will.</summary>
public sealed class MqttApplicationMessage
{
    public MqttApplicationMessage(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce, bool retain = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Topic = topic;
        Payload = payload;
        Qos = qos;
        Retain = retain;
    }

    public string Topic { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public MqttQualityOfService Qos { get; }

    public bool Retain { get; }

    /// <summary>Set on an incoming message the broker may have delivered before (MQTT 5.0 §3.3.1.1).</summary>
    public bool Duplicate { get; init; }
}
