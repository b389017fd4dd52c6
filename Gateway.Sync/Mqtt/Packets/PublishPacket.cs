namespace Gateway.Sync.Mqtt.Packets;

/// <summary>PUBLISH (MQTT 3.1.1 §3.3, MQTT 5.0 §3.3), QoS 0 and 1.</summary>
internal sealed class PublishPacket : IMqttPacket
{
    private const byte DupFlag = 0x08;
    private const byte RetainFlag = 0x01;

    public required MqttApplicationMessage Message { get; init; }

    /// <summary>Present only for QoS &gt; 0 (§3.3.2.2); never 0.</summary>
    public ushort PacketId { get; init; }

    public bool Duplicate { get; init; }

    public MqttPacketType Type => MqttPacketType.Publish;

    public byte Flags => (byte)((Duplicate ? DupFlag : 0) | ((byte)Message.Qos << 1) | (Message.Retain ? RetainFlag : 0));

    public int GetBodyLength(MqttProtocolVersion version) =>
        MqttWireWriter.SizeOfString(Message.Topic)
        + (Message.Qos == MqttQualityOfService.AtMostOnce ? 0 : 2)
        + (version == MqttProtocolVersion.V500 ? MqttWireWriter.SizeOfProperties(0) : 0)
        + Message.Payload.Length;

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteString(Message.Topic);
        if (Message.Qos != MqttQualityOfService.AtMostOnce)
        {
            writer.WriteUInt16(PacketId);
        }
        if (version == MqttProtocolVersion.V500)
        {
            writer.WriteVariableByteInteger(0); // no properties: no topic alias, no expiry
        }
        writer.WriteBytes(Message.Payload.Span);
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out PublishPacket? packet, out string error)
    {
        packet = null;
        var qos = (flags >> 1) & 0x03;
        var dup = (flags & DupFlag) != 0;
        if (qos > 1)
        {
            // §3.3.1.2: QoS 3 is malformed; QoS 2 is never granted by our subscriptions (maximum QoS 1)
            error = $"PUBLISH: QoS {qos} not supported";
            return false;
        }
        if (qos == 0 && dup)
        {
            error = "PUBLISH: DUP set on a QoS 0 message (§3.3.1.1)";
            return false;
        }
        var reader = new MqttWireReader(body);
        if (!reader.TryReadString(out var topic) || topic.Length == 0 || topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            // an empty topic is only legal with a topic alias, which we never allow (Topic Alias Maximum 0)
            error = "PUBLISH: bad topic name (§3.3.2.1)";
            return false;
        }
        ushort packetId = 0;
        if (qos > 0 && (!reader.TryReadUInt16(out packetId) || packetId == 0))
        {
            error = "PUBLISH: bad packet identifier";
            return false;
        }
        if (version == MqttProtocolVersion.V500)
        {
            if (!reader.TryReadProperties(out var properties))
            {
                error = "PUBLISH: bad properties";
                return false;
            }
            while (properties.MoveNext())
            {
                if (properties.Id == MqttPropertyId.TopicAlias)
                {
                    error = "PUBLISH: topic alias beyond our Topic Alias Maximum of 0 (§3.3.2.3.4)";
                    return false;
                }
            }
            if (properties.IsMalformed)
            {
                error = "PUBLISH: malformed property";
                return false;
            }
        }
        packet = new PublishPacket
        {
            Message = new MqttApplicationMessage(topic, reader.Rest.ToArray(), (MqttQualityOfService)qos, (flags & RetainFlag) != 0) { Duplicate = dup },
            PacketId = packetId,
            Duplicate = dup,
        };
        error = "";
        return true;
    }
}
