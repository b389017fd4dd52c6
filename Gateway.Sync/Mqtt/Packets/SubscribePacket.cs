namespace Gateway.Sync.Mqtt.Packets;

/// <summary>SUBSCRIBE (MQTT 3.1.1 §3.8, MQTT 5.0 §3.8). Its fixed-header flags are 0010 (§3.8.1).</summary>
internal sealed class SubscribePacket : IMqttPacket
{
    public required ushort PacketId { get; init; }

    public required IReadOnlyList<MqttSubscription> Subscriptions { get; init; }

    public MqttPacketType Type => MqttPacketType.Subscribe;

    public byte Flags => 0x02;

    public int GetBodyLength(MqttProtocolVersion version) =>
        2 + (version == MqttProtocolVersion.V500 ? MqttWireWriter.SizeOfProperties(0) : 0)
        + Subscriptions.Sum(s => MqttWireWriter.SizeOfString(s.TopicFilter) + 1);

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteUInt16(PacketId);
        if (version == MqttProtocolVersion.V500)
        {
            writer.WriteVariableByteInteger(0);
        }
        foreach (var subscription in Subscriptions)
        {
            writer.WriteString(subscription.TopicFilter);
            // 5.0 §3.8.3.1: bits 0–1 maximum QoS; no-local, retain-as-published and retain handling 0
            writer.WriteByte((byte)subscription.MaximumQos);
        }
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out SubscribePacket? packet, out string error)
    {
        packet = null;
        var reader = new MqttWireReader(body);
        if (flags != 0x02 || !reader.TryReadUInt16(out var packetId) || packetId == 0)
        {
            error = "SUBSCRIBE: bad header";
            return false;
        }
        if (version == MqttProtocolVersion.V500)
        {
            if (!reader.TryReadProperties(out var properties))
            {
                error = "SUBSCRIBE: bad properties";
                return false;
            }
            while (properties.MoveNext())
            {
            }
            if (properties.IsMalformed)
            {
                error = "SUBSCRIBE: malformed property";
                return false;
            }
        }
        var subscriptions = new List<MqttSubscription>();
        while (reader.Remaining > 0)
        {
            if (!reader.TryReadString(out var filter) || filter.Length == 0 || !reader.TryReadByte(out var options) || (options & 0x03) > 1)
            {
                error = "SUBSCRIBE: bad topic filter";
                return false;
            }
            subscriptions.Add(new MqttSubscription(filter, (MqttQualityOfService)(options & 0x03)));
        }
        if (subscriptions.Count == 0)
        {
            error = "SUBSCRIBE: no topic filter (§3.8.3)";
            return false;
        }
        packet = new SubscribePacket { PacketId = packetId, Subscriptions = subscriptions };
        error = "";
        return true;
    }
}
