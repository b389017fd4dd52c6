namespace Gateway.Sync.Mqtt.Packets;

/// <summary>The Variable Byte Integer of MQTT 5.0 §1.5.5 / MQTT 3.1.1 §2.2.3: 7 bits per byte, at most 4 bytes.</summary>
internal static class MqttVariableByteInteger
{
    public const int MaxValue = 268_435_455;

    public enum Status
    {
        Ok,
        NeedMoreData,
        Malformed,
    }

    public static Status TryRead(ReadOnlySpan<byte> source, out int value, out int length)
    {
        value = 0;
        length = 0;
        var multiplier = 1;
        for (var i = 0; i < 4; i++)
        {
            if (i >= source.Length)
            {
                return Status.NeedMoreData;
            }
            var b = source[i];
            value += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0)
            {
                length = i + 1;
                return Status.Ok;
            }
            multiplier *= 128;
        }
        value = 0;
        return Status.Malformed; // a fifth byte would be needed
    }

    public static int SizeOf(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    public static int Write(Span<byte> destination, int value)
    {
        var size = SizeOf(value);
        for (var i = 0; i < size; i++)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = value > 0 ? (byte)(b | 0x80) : b;
        }
        return size;
    }
}
