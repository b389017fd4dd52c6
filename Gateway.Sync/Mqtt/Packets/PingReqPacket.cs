namespace Gateway.Sync.Mqtt.Packets;

/// <summary>PINGREQ (MQTT 5.0 §3.12): keep-alive probe, no body.</summary>
internal sealed class PingReqPacket : IMqttPacket
{
    public static readonly PingReqPacket Instance = new();

    private PingReqPacket()
    {
    }

    public MqttPacketType Type => MqttPacketType.PingReq;

    public byte Flags => 0;

    public int GetBodyLength(MqttProtocolVersion version) => 0;

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
    }
}
