namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// CONNECT (MQTT 3.1.1 §3.1, MQTT 5.0 §3.1). A plain class, not a record, so that no generated
/// ToString can ever print the password.
/// </summary>
internal sealed class ConnectPacket : IMqttPacket
{
    private const byte UsernameFlag = 0x80;
    private const byte PasswordFlag = 0x40;
    private const byte WillRetainFlag = 0x20;
    private const byte WillFlag = 0x04;
    private const byte CleanStartFlag = 0x02;

    public required string ClientId { get; init; }

    /// <summary>"Clean Session" in 3.1.1; off keeps the broker-side session (queued QoS 1 commands) across reconnects.</summary>
    public bool CleanStart { get; init; }

    public ushort KeepAliveSeconds { get; init; }

    public string? Username { get; init; }

    public ReadOnlyMemory<byte>? Password { get; init; }

    public MqttApplicationMessage? Will { get; init; }

    /// <summary>MQTT 5.0 only (§3.1.2.11.2): how long the broker keeps the session after the connection closes.</summary>
    public uint SessionExpiryInterval { get; init; }

    /// <summary>MQTT 5.0 only (§3.1.2.11.3): how many unacknowledged QoS 1 messages we accept at once; 0 = not sent (65535).</summary>
    public ushort ReceiveMaximum { get; init; }

    /// <summary>MQTT 5.0 only (§3.1.2.11.4): the largest packet we accept; 0 = not sent (no limit).</summary>
    public uint MaximumPacketSize { get; init; }

    public MqttPacketType Type => MqttPacketType.Connect;

    public byte Flags => 0;

    public int GetBodyLength(MqttProtocolVersion version)
    {
        var length = 6 /* "MQTT" */ + 1 /* level */ + 1 /* flags */ + 2 /* keep alive */ + MqttWireWriter.SizeOfString(ClientId);
        if (version == MqttProtocolVersion.V500)
        {
            length += MqttWireWriter.SizeOfProperties(PropertiesLength());
        }
        if (Will is not null)
        {
            if (version == MqttProtocolVersion.V500)
            {
                length += MqttWireWriter.SizeOfProperties(0);
            }
            length += MqttWireWriter.SizeOfString(Will.Topic) + MqttWireWriter.SizeOfBinary(Will.Payload.Span);
        }
        if (Username is not null)
        {
            length += MqttWireWriter.SizeOfString(Username);
        }
        if (Password is { } password)
        {
            length += MqttWireWriter.SizeOfBinary(password.Span);
        }
        return length;
    }

    public void WriteBody(Span<byte> destination, MqttProtocolVersion version)
    {
        var writer = new MqttWireWriter(destination);
        writer.WriteString("MQTT");
        writer.WriteByte((byte)version);
        var flags = CleanStart ? CleanStartFlag : (byte)0;
        if (Will is not null)
        {
            flags |= WillFlag;
            flags |= (byte)((byte)Will.Qos << 3);
            flags |= Will.Retain ? WillRetainFlag : (byte)0;
        }
        flags |= Username is not null ? UsernameFlag : (byte)0;
        flags |= Password is not null ? PasswordFlag : (byte)0;
        writer.WriteByte(flags);
        writer.WriteUInt16(KeepAliveSeconds);
        if (version == MqttProtocolVersion.V500)
        {
            writer.WriteVariableByteInteger(PropertiesLength());
            if (SessionExpiryInterval != 0)
            {
                writer.WriteUInt32Property(MqttPropertyId.SessionExpiryInterval, SessionExpiryInterval);
            }
            if (ReceiveMaximum != 0)
            {
                writer.WriteUInt16Property(MqttPropertyId.ReceiveMaximum, ReceiveMaximum);
            }
            if (MaximumPacketSize != 0)
            {
                writer.WriteUInt32Property(MqttPropertyId.MaximumPacketSize, MaximumPacketSize);
            }
        }
        writer.WriteString(ClientId);
        if (Will is not null)
        {
            if (version == MqttProtocolVersion.V500)
            {
                writer.WriteVariableByteInteger(0); // no will properties
            }
            writer.WriteString(Will.Topic);
            writer.WriteBinary(Will.Payload.Span);
        }
        if (Username is not null)
        {
            writer.WriteString(Username);
        }
        if (Password is { } password)
        {
            writer.WriteBinary(password.Span);
        }
    }

    private int PropertiesLength() =>
        (SessionExpiryInterval != 0 ? 5 : 0) + (ReceiveMaximum != 0 ? 3 : 0) + (MaximumPacketSize != 0 ? 5 : 0);

    /// <summary>The broker's side of CONNECT: used by the tests' fake broker and round-trip tests.</summary>
    public static bool TryParse(byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version, out ConnectPacket? packet, out string error)
    {
        packet = null;
        var reader = new MqttWireReader(body);
        if (flags != 0 || !reader.TryReadString(out var protocolName) || protocolName != "MQTT" || !reader.TryReadByte(out var level))
        {
            error = "CONNECT: bad protocol name";
            return false;
        }
        if (level != (byte)version)
        {
            error = $"CONNECT: protocol level {level}, expected {(byte)version}";
            return false;
        }
        if (!reader.TryReadByte(out var connectFlags) || (connectFlags & 0x01) != 0 || !reader.TryReadUInt16(out var keepAlive))
        {
            error = "CONNECT: bad flags";
            return false;
        }
        uint sessionExpiry = 0, maximumPacketSize = 0;
        ushort receiveMaximum = 0;
        if (version == MqttProtocolVersion.V500)
        {
            if (!reader.TryReadProperties(out var properties))
            {
                error = "CONNECT: bad properties";
                return false;
            }
            while (properties.MoveNext())
            {
                switch (properties.Id)
                {
                    case MqttPropertyId.SessionExpiryInterval: sessionExpiry = properties.Number; break;
                    case MqttPropertyId.ReceiveMaximum: receiveMaximum = (ushort)properties.Number; break;
                    case MqttPropertyId.MaximumPacketSize: maximumPacketSize = properties.Number; break;
                }
            }
            if (properties.IsMalformed)
            {
                error = "CONNECT: malformed property";
                return false;
            }
        }
        if (!reader.TryReadString(out var clientId))
        {
            error = "CONNECT: bad client id";
            return false;
        }
        MqttApplicationMessage? will = null;
        if ((connectFlags & WillFlag) != 0)
        {
            if ((version == MqttProtocolVersion.V500 && !reader.TryReadProperties(out _))
                || !reader.TryReadString(out var willTopic) || willTopic.Length == 0 || !reader.TryReadBinary(out var willPayload))
            {
                error = "CONNECT: bad will";
                return false;
            }
            var willQos = (connectFlags >> 3) & 0x03;
            if (willQos > 1)
            {
                error = "CONNECT: unsupported will QoS";
                return false;
            }
            will = new MqttApplicationMessage(willTopic, willPayload.ToArray(), (MqttQualityOfService)willQos, (connectFlags & WillRetainFlag) != 0);
        }
        string? username = null;
        if ((connectFlags & UsernameFlag) != 0 && !reader.TryReadString(out username))
        {
            error = "CONNECT: bad user name";
            return false;
        }
        ReadOnlyMemory<byte>? password = null;
        if ((connectFlags & PasswordFlag) != 0)
        {
            if (!reader.TryReadBinary(out var passwordBytes))
            {
                error = "CONNECT: bad password";
                return false;
            }
            password = passwordBytes.ToArray();
        }
        if (reader.Remaining != 0)
        {
            error = "CONNECT: trailing bytes";
            return false;
        }
        packet = new ConnectPacket
        {
            ClientId = clientId,
            CleanStart = (connectFlags & CleanStartFlag) != 0,
            KeepAliveSeconds = keepAlive,
            Username = username,
            Password = password,
            Will = will,
            SessionExpiryInterval = sessionExpiry,
            ReceiveMaximum = receiveMaximum,
            MaximumPacketSize = maximumPacketSize,
        };
        error = "";
        return true;
    }
}
