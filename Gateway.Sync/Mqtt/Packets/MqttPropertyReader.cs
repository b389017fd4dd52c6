namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// Walks an MQTT 5.0 property block (§2.2.2.2). Each identifier has a fixed data type; an unknown
/// identifier or a value running past the block makes the packet malformed (<see cref="IsMalformed"/>).
/// </summary>
internal ref struct MqttPropertyReader(ReadOnlySpan<byte> properties)
{
    private MqttWireReader _reader = new(properties);

    public MqttPropertyId Id { get; private set; }

    /// <summary>The value of a Byte, Two/Four Byte or Variable Byte Integer property.</summary>
    public uint Number { get; private set; }

    /// <summary>The value of a string or binary property (the name, for a user property).</summary>
    public ReadOnlySpan<byte> Data { get; private set; }

    public bool IsMalformed { get; private set; }

    /// <summary>Advances to the next property; false at the end or when malformed.</summary>
    public bool MoveNext()
    {
        if (IsMalformed || _reader.Remaining == 0)
        {
            return false;
        }
        Data = default;
        Number = 0;
        if (!_reader.TryReadByte(out var id))
        {
            return Fail();
        }
        Id = (MqttPropertyId)id;
        switch (Id)
        {
            case MqttPropertyId.PayloadFormatIndicator or MqttPropertyId.RequestProblemInformation
                or MqttPropertyId.RequestResponseInformation or MqttPropertyId.MaximumQos or MqttPropertyId.RetainAvailable
                or MqttPropertyId.WildcardSubscriptionAvailable or MqttPropertyId.SubscriptionIdentifierAvailable
                or MqttPropertyId.SharedSubscriptionAvailable:
                if (!_reader.TryReadByte(out var b))
                {
                    return Fail();
                }
                Number = b;
                return true;
            case MqttPropertyId.ServerKeepAlive or MqttPropertyId.ReceiveMaximum or MqttPropertyId.TopicAliasMaximum
                or MqttPropertyId.TopicAlias:
                if (!_reader.TryReadUInt16(out var u16))
                {
                    return Fail();
                }
                Number = u16;
                return true;
            case MqttPropertyId.MessageExpiryInterval or MqttPropertyId.SessionExpiryInterval or MqttPropertyId.WillDelayInterval
                or MqttPropertyId.MaximumPacketSize:
                if (!_reader.TryReadUInt32(out var u32))
                {
                    return Fail();
                }
                Number = u32;
                return true;
            case MqttPropertyId.SubscriptionIdentifier:
                if (!_reader.TryReadVariableByteInteger(out var vbi))
                {
                    return Fail();
                }
                Number = (uint)vbi;
                return true;
            case MqttPropertyId.ContentType or MqttPropertyId.ResponseTopic or MqttPropertyId.AssignedClientIdentifier
                or MqttPropertyId.AuthenticationMethod or MqttPropertyId.ResponseInformation or MqttPropertyId.ServerReference
                or MqttPropertyId.ReasonString:
                if (!_reader.TryReadBinary(out var text) || !MqttWireReader.IsValidMqttUtf8(text))
                {
                    return Fail();
                }
                Data = text;
                return true;
            case MqttPropertyId.CorrelationData or MqttPropertyId.AuthenticationData:
                if (!_reader.TryReadBinary(out var binary))
                {
                    return Fail();
                }
                Data = binary;
                return true;
            case MqttPropertyId.UserProperty:
                // a UTF-8 string pair (§1.5.7): the name is kept, the value checked and skipped
                if (!_reader.TryReadBinary(out var name) || !_reader.TryReadBinary(out var value)
                    || !MqttWireReader.IsValidMqttUtf8(name) || !MqttWireReader.IsValidMqttUtf8(value))
                {
                    return Fail();
                }
                Data = name;
                return true;
            default:
                return Fail();
        }
    }

    private bool Fail()
    {
        IsMalformed = true;
        return false;
    }
}
