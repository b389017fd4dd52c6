namespace Gateway.Sync.Mqtt.Packets;

/// <summary>CONNACK (MQTT 3.1.1 §3.2, MQTT 5.0 §3.2) with the MQTT 5.0 properties the client honours.</summary>
internal sealed record ConnAckPacket : IMqttPacket
{
    public bool SessionPresent { get; init; }

    /// <summary>0 = accepted. 3.1.1 return codes 1–5 (§3.2.2.3) or 5.0 reason codes ≥ 0x80 (§3.2.2.2).</summary>
    public byte ReasonCode { get; init; }

    /// <summary>§3.2.2.3.3: how many QoS 1 publishes the broker accepts unacknowledged; absent = 65535.</summary>
    public ushort? ReceiveMaximum { get; init; }

    /// <summary>§3.2.2.3.6: the largest packet the broker accepts; absent = no limit.</summary>
    public uint? MaximumPacketSize { get; init; }

    public byte? MaximumQos { get; init; }

    public bool? RetainAvailable { get; init; }

    public uint? SessionExpiryInterval { get; init; }

    public string? AssignedClientIdentifier { get; init; }

    /// <summary>§3.2.2.3.14: the keep alive the client must use instead of its own.</summary>
    public ushort? ServerKeepAlive { get; init; }

    public ushort? TopicAliasMaximum { get; init; }

    public string? ReasonString { get; init; }

    public MqttPacketType Type => MqttPacketType.ConnAck;

    public byte Flags => 0;

    public int GetBodyLength(MqttProtocolVersion version) =>
        2 + (version == MqttProtocolVersion.V500 ? MqttWireWriter.SizeOfProperties(PropertiesLength()) : 0);

    private int PropertiesLength() =>
        (ReceiveMaximum is null ? 0 : 3) + (MaximumPacketSize is null ? 0 : 5) + (MaximumQos is null ? 0 : 2)
        + (RetainAvailable is null ? 0 : 2) + (SessionExpiryInterval is null ? 0 : 5) + (ServerKeepAlive is null ? 0 : 3)
        + (TopicAliasMaximum is null ? 0 : 3)
        + (AssignedClientIdentifier is null ? 0 : 1 + MqttWireWriter.SizeOfString(AssignedClientIdentifier))
        + (ReasonString is null ? 0 : 1 + MqttWireWriter.SizeOfString(ReasonString));

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteByte(SessionPresent ? (byte)1 : (byte)0);
        writer.WriteByte(ReasonCode);
        if (version != MqttProtocolVersion.V500)
        {
            return;
        }
        writer.WriteVariableByteInteger(PropertiesLength());
        if (ReceiveMaximum is { } receiveMaximum)
        {
            writer.WriteUInt16Property(MqttPropertyId.ReceiveMaximum, receiveMaximum);
        }
        if (MaximumPacketSize is { } maximumPacketSize)
        {
            writer.WriteUInt32Property(MqttPropertyId.MaximumPacketSize, maximumPacketSize);
        }
        if (MaximumQos is { } maximumQos)
        {
            writer.WriteByteProperty(MqttPropertyId.MaximumQos, maximumQos);
        }
        if (RetainAvailable is { } retainAvailable)
        {
            writer.WriteByteProperty(MqttPropertyId.RetainAvailable, retainAvailable ? (byte)1 : (byte)0);
        }
        if (SessionExpiryInterval is { } sessionExpiry)
        {
            writer.WriteUInt32Property(MqttPropertyId.SessionExpiryInterval, sessionExpiry);
        }
        if (ServerKeepAlive is { } serverKeepAlive)
        {
            writer.WriteUInt16Property(MqttPropertyId.ServerKeepAlive, serverKeepAlive);
        }
        if (TopicAliasMaximum is { } topicAliasMaximum)
        {
            writer.WriteUInt16Property(MqttPropertyId.TopicAliasMaximum, topicAliasMaximum);
        }
        if (AssignedClientIdentifier is not null)
        {
            writer.WriteStringProperty(MqttPropertyId.AssignedClientIdentifier, AssignedClientIdentifier);
        }
        if (ReasonString is not null)
        {
            writer.WriteStringProperty(MqttPropertyId.ReasonString, ReasonString);
        }
    }

    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out ConnAckPacket? packet, out string error)
    {
        packet = null;
        var reader = new MqttWireReader(body);
        if (flags != 0 || !reader.TryReadByte(out var ackFlags) || (ackFlags & 0xFE) != 0 || !reader.TryReadByte(out var reasonCode))
        {
            error = "CONNACK: bad header";
            return false;
        }
        var result = new ConnAckPacket { SessionPresent = ackFlags == 1, ReasonCode = reasonCode };
        if (version == MqttProtocolVersion.V500)
        {
            // §3.2.2.3: a CONNACK with an error reason code may still carry properties; an empty
            // property block may be omitted entirely by a lenient broker, so accept its absence
            if (reader.Remaining > 0)
            {
                if (!reader.TryReadProperties(out var properties))
                {
                    error = "CONNACK: bad properties";
                    return false;
                }
                while (properties.MoveNext())
                {
                    switch (properties.Id)
                    {
                        case MqttPropertyId.ReceiveMaximum when properties.Number == 0:
                        case MqttPropertyId.MaximumPacketSize when properties.Number == 0:
                            error = $"CONNACK: {properties.Id} of 0 is a protocol error";
                            return false;
                        case MqttPropertyId.ReceiveMaximum: result = result with { ReceiveMaximum = (ushort)properties.Number }; break;
                        case MqttPropertyId.MaximumPacketSize: result = result with { MaximumPacketSize = properties.Number }; break;
                        case MqttPropertyId.MaximumQos: result = result with { MaximumQos = (byte)properties.Number }; break;
                        case MqttPropertyId.RetainAvailable: result = result with { RetainAvailable = properties.Number != 0 }; break;
                        case MqttPropertyId.SessionExpiryInterval: result = result with { SessionExpiryInterval = properties.Number }; break;
                        case MqttPropertyId.ServerKeepAlive: result = result with { ServerKeepAlive = (ushort)properties.Number }; break;
                        case MqttPropertyId.TopicAliasMaximum: result = result with { TopicAliasMaximum = (ushort)properties.Number }; break;
                        case MqttPropertyId.AssignedClientIdentifier: result = result with { AssignedClientIdentifier = System.Text.Encoding.UTF8.GetString(properties.Data) }; break;
                        case MqttPropertyId.ReasonString: result = result with { ReasonString = System.Text.Encoding.UTF8.GetString(properties.Data) }; break;
                    }
                }
                if (properties.IsMalformed)
                {
                    error = "CONNACK: malformed property";
                    return false;
                }
            }
        }
        if (reader.Remaining != 0)
        {
            error = "CONNACK: trailing bytes";
            return false;
        }
        packet = result;
        error = "";
        return true;
    }
}
