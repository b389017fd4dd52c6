namespace Gateway.Sync.Mqtt.Packets;

/// <summary>PUBACK (MQTT 3.1.1 §3.4, MQTT 5.0 §3.4).</summary>
internal sealed record PubAckPacket(ushort PacketId, byte ReasonCode = 0, string? ReasonString = null) : IMqttPacket
{
    public MqttPacketType Type => MqttPacketType.PubAck;

    public byte Flags => 0;

    /// <summary>MQTT 5.0 §3.4.2.2: reason codes below 0x80 mean the message was accepted.</summary>
    public bool IsSuccess => ReasonCode < 0x80;

    public int GetBodyLength(MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500 || (ReasonCode == 0 && ReasonString is null))
        {
            return 2; // §3.4.2.1: reason code 0 without properties may be omitted
        }
        return ReasonString is null ? 3 : 3 + MqttWireWriter.SizeOfProperties(1 + MqttWireWriter.SizeOfString(ReasonString));
    }

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteUInt16(PacketId);
        var length = GetBodyLength(version);
        if (length > 2)
        {
            writer.WriteByte(ReasonCode);
        }
        if (ReasonString is not null && length > 3)
        {
            writer.WriteVariableByteInteger(1 + MqttWireWriter.SizeOfString(ReasonString));
            writer.WriteStringProperty(MqttPropertyId.ReasonString, ReasonString);
        }
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out PubAckPacket? packet, out string error) =>
        AcknowledgementParser.TryParse("PUBACK", flags, body, version, out packet, out error, (id, code, reason) => new PubAckPacket(id, code, reason));
}
