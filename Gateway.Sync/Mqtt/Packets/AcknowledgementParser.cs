namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// The shape PUBACK shares with PUBREC/PUBREL/PUBCOMP (MQTT 5.0 §3.4.2): a packet identifier, then in
/// 5.0 an optional reason code and optional properties. 3.1.1 allows exactly the identifier.
/// </summary>
internal static class AcknowledgementParser
{
    public static bool TryParse<T>(string name, byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out T? packet, out string error, Func<ushort, byte, string?, T> create)
        where T : class
    {
        packet = null;
        var reader = new MqttWireReader(body);
        if (flags != 0 || !reader.TryReadUInt16(out var packetId) || packetId == 0)
        {
            error = $"{name}: bad packet identifier";
            return false;
        }
        byte reasonCode = 0;
        string? reasonString = null;
        if (version == MqttProtocolVersion.V500 && reader.Remaining > 0)
        {
            reader.TryReadByte(out reasonCode);
            if (reader.Remaining > 0)
            {
                if (!reader.TryReadProperties(out var properties))
                {
                    error = $"{name}: bad properties";
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
                    error = $"{name}: malformed property";
                    return false;
                }
            }
        }
        if (reader.Remaining != 0)
        {
            error = $"{name}: trailing bytes";
            return false;
        }
        packet = create(packetId, reasonCode, reasonString);
        error = "";
        return true;
    }
}
