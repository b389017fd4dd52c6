namespace Gateway.Sync.Mqtt.Packets;

/// <summary>SUBACK (MQTT 3.1.1 §3.9, MQTT 5.0 §3.9): one granted QoS or failure code per filter.</summary>
internal sealed class SubAckPacket : IMqttPacket
{
    public required ushort PacketId { get; init; }

    /// <summary>0–2 = granted QoS; ≥ 0x80 = failure (3.1.1 §3.9.3, 5.0 §3.9.3).</summary>
    public required IReadOnlyList<byte> ReasonCodes { get; init; }

    public string? ReasonString { get; init; }

    public MqttPacketType Type => MqttPacketType.SubAck;

    public byte Flags => 0;

    private int PropertiesLength => ReasonString is null ? 0 : 1 + MqttWireWriter.SizeOfString(ReasonString);

    public int GetBodyLength(MqttProtocolVersion version) =>
        2 + (version == MqttProtocolVersion.V500 ? MqttWireWriter.SizeOfProperties(PropertiesLength) : 0) + ReasonCodes.Count;

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteUInt16(PacketId);
        if (version == MqttProtocolVersion.V500)
        {
            writer.WriteVariableByteInteger(PropertiesLength);
            if (ReasonString is not null)
            {
                writer.WriteStringProperty(MqttPropertyId.ReasonString, ReasonString);
            }
        }
        foreach (var code in ReasonCodes)
        {
            writer.WriteByte(code);
        }
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out SubAckPacket? packet, out string error)
    {
        packet = null;
        var reader = new MqttWireReader(body);
        if (flags != 0 || !reader.TryReadUInt16(out var packetId) || packetId == 0)
        {
            error = "SUBACK: bad packet identifier";
            return false;
        }
        string? reasonString = null;
        if (version == MqttProtocolVersion.V500)
        {
            if (!reader.TryReadProperties(out var properties))
            {
                error = "SUBACK: bad properties";
                return false;
            }
            while (properties.MoveNext())
            {
                if (properties.Id == MqttPropertyId.ReasonString)
                {
                    reasonString = System.Text.Encoding.UTF8.GetString(properties.Data);
                }
            }
            if (properties.IsMalformed)
            {
                error = "SUBACK: malformed property";
                return false;
            }
        }
        if (reader.Remaining == 0)
        {
            error = "SUBACK: no reason codes";
            return false;
        }
        packet = new SubAckPacket { PacketId = packetId, ReasonCodes = reader.Rest.ToArray(), ReasonString = reasonString };
        error = "";
        return true;
    }
}
