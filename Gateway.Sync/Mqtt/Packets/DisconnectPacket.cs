namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// DISCONNECT (MQTT 3.1.1 §3.14, MQTT 5.0 §3.14). In 5.0 either side may send it, with a reason code;
/// 0x04 "disconnect with will message" asks the broker to publish the will anyway.
/// </summary>
internal sealed record DisconnectPacket(byte ReasonCode = 0, string? ReasonString = null) : IMqttPacket
{
    public static readonly DisconnectPacket Normal = new();

    public MqttPacketType Type => MqttPacketType.Disconnect;

    public byte Flags => 0;

    private int PropertiesLength => ReasonString is null ? 0 : 1 + MqttWireWriter.SizeOfString(ReasonString);

    public int GetBodyLength(MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500 || (ReasonCode == 0 && ReasonString is null))
        {
            return 0; // §3.14.2.1: a normal disconnect may omit the reason code
        }
        return 1 + MqttWireWriter.SizeOfProperties(PropertiesLength);
    }

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        if (GetBodyLength(version) == 0)
        {
            return;
        }
        var writer = new MqttWireWriter(destination);
        writer.WriteByte(ReasonCode);
        writer.WriteVariableByteInteger(PropertiesLength);
        if (ReasonString is not null)
        {
            writer.WriteStringProperty(MqttPropertyId.ReasonString, ReasonString);
        }
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out DisconnectPacket? packet, out string error)
    {
        packet = null;
        if (flags != 0 || (version == MqttProtocolVersion.V311 && body.Length != 0))
        {
            error = "DISCONNECT: bad header";
            return false;
        }
        var reader = new MqttWireReader(body);
        byte reasonCode = 0;
        string? reasonString = null;
        if (reader.Remaining > 0)
        {
            reader.TryReadByte(out reasonCode);
            if (reader.Remaining > 0)
            {
                if (!reader.TryReadProperties(out var properties))
                {
                    error = "DISCONNECT: bad properties";
                    return false;
                }
                while (properties.MoveNext())
                {
                    if (properties.Id == MqttPropertyId.ReasonString)
                    {
                        reasonString = System.Text.Encoding.UTF8.GetString(properties.Data);
                    }
                }
                if (properties.IsMalformed || reader.Remaining != 0)
                {
                    error = "DISCONNECT: malformed properties";
                    return false;
                }
            }
        }
        packet = new DisconnectPacket(reasonCode, reasonString);
        error = "";
        return true;
    }
}
