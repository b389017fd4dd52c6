namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// Whole packets: the fixed header (MQTT 5.0 §2.1) around a packet's body, and the dispatch from a
/// received fixed header to the packet type's parser. Pure and synchronous; no I/O.
/// </summary>
internal static class MqttPacketCodec
{
    /// <summary>Bytes the encoded packet occupies, fixed header included.</summary>
    public static int GetEncodedLength(IMqttPacket packet, MqttProtocolVersion version)
    {
        var body = packet.GetBodyLength(version);
        return 1 + MqttVariableByteInteger.SizeOf(body) + body;
    }

    /// <summary>Writes the packet into <paramref name="destination"/> (at least <see cref="GetEncodedLength"/> bytes); returns the length.</summary>
    public static int Encode(IMqttPacket packet, MqttProtocolVersion version, Span<byte> destination)
    {
        var body = packet.GetBodyLength(version);
        destination[0] = (byte)(((byte)packet.Type << 4) | packet.Flags);
        var header = 1 + MqttVariableByteInteger.Write(destination[1..], body);
        packet.WriteBody(destination.Slice(header, body), version);
        return header + body;
    }

    /// <summary>
    /// Reads a fixed header (§2.1.1): the first byte and the Remaining Length. NeedMoreData until
    /// enough bytes are there; Malformed when the length takes a fifth byte.
    /// </summary>
    public static MqttVariableByteInteger.Status TryReadFixedHeader(ReadOnlySpan<byte> source, out byte firstByte, out int remainingLength, out int headerLength)
    {
        firstByte = 0;
        remainingLength = 0;
        headerLength = 0;
        if (source.IsEmpty)
        {
            return MqttVariableByteInteger.Status.NeedMoreData;
        }
        firstByte = source[0];
        var status = MqttVariableByteInteger.TryRead(source[1..], out remainingLength, out var lengthBytes);
        headerLength = 1 + lengthBytes;
        return status;
    }

    /// <summary>Parses a body received after the fixed header whose first byte is <paramref name="firstByte"/>.</summary>
    public static bool TryDecode(byte firstByte, ReadOnlySpan<byte> body, MqttProtocolVersion version, out IMqttPacket? packet, out string error)
    {
        var flags = (byte)(firstByte & 0x0F);
        packet = null;
        switch ((MqttPacketType)(firstByte >> 4))
        {
            case MqttPacketType.Connect:
                return Return(ConnectPacket.TryParse(flags, body, version, out var connect, out error), connect, out packet);
            case MqttPacketType.ConnAck:
                return Return(ConnAckPacket.TryParse(flags, body, version, out var connAck, out error), connAck, out packet);
            case MqttPacketType.Publish:
                return Return(PublishPacket.TryParse(flags, body, version, out var publish, out error), publish, out packet);
            case MqttPacketType.PubAck:
                return Return(PubAckPacket.TryParse(flags, body, version, out var pubAck, out error), pubAck, out packet);
            case MqttPacketType.Subscribe:
                return Return(SubscribePacket.TryParse(flags, body, version, out var subscribe, out error), subscribe, out packet);
            case MqttPacketType.SubAck:
                return Return(SubAckPacket.TryParse(flags, body, version, out var subAck, out error), subAck, out packet);
            case MqttPacketType.PingReq when flags == 0 && body.IsEmpty:
                packet = PingReqPacket.Instance;
                error = "";
                return true;
            case MqttPacketType.PingResp when flags == 0 && body.IsEmpty:
                packet = PingRespPacket.Instance;
                error = "";
                return true;
            case MqttPacketType.Disconnect:
                return Return(DisconnectPacket.TryParse(flags, body, version, out var disconnect, out error), disconnect, out packet);
            default:
                // QoS 2 flow, UNSUBSCRIBE/UNSUBACK and AUTH are never asked for by this client
                error = $"unexpected packet type {firstByte >> 4} (flags {flags}, {body.Length} bytes)";
                return false;
        }
    }

    private static bool Return(bool ok, IMqttPacket? parsed, out IMqttPacket? packet)
    {
        packet = ok ? parsed : null;
        return ok;
    }
}
