namespace Gateway.Sync.Mqtt.Transport;

/// <summary>A framed packet as received: the fixed header's first byte and the body (valid until the next read).</summary>
internal readonly record struct MqttReceivedPacket(byte FirstByte, ReadOnlyMemory<byte> Body);
