namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// One control packet. The fixed header (type, flags, remaining length) is written by
/// <see cref="MqttPacketCodec"/>; a packet writes only its variable header and payload.
/// </summary>
internal interface IMqttPacket
{
    MqttPacketType Type { get; }

    /// <summary>The low nibble of the fixed header's first byte (MQTT 5.0 §2.1.3).</summary>
    byte Flags { get; }

    int GetBodyLength(MqttProtocolVersion version);

    void WriteBody(Span<byte> destination, MqttProtocolVersion version);
}
