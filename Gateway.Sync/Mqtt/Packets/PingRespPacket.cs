namespace Gateway.Sync.Mqtt.Packets;

/// <summary>PINGRESP (MQTT 5.0 §3.13): the broker's answer to PINGREQ, no body.</summary>
internal sealed class PingRespPacket : IMqttPacket
{
    public static readonly PingRespPacket Instance = new();

    private PingRespPacket()
    {
    }

    public MqttPacketType Type => MqttPacketType.PingResp;

    public byte Flags => 0;

    public int GetBodyLength(MqttProtocolVersion version) => 0;

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
    }
}
