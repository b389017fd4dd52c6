namespace Gateway.Bench.Support;

/// <summary>
/// Cuts one direction of an MQTT byte stream into control packets (fixed header byte, Remaining
/// Length varint, body: MQTT 5.0 §2.1) without decoding them, for a proxy that watches a client.
/// Bytes arrive in arbitrary chunks; a packet is reported once it is complete.
/// </summary>
internal sealed class MqttFrameScanner
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _count;

    /// <summary>Adds <paramref name="chunk"/> and calls <paramref name="frame"/> (header byte, body) for every packet it completes.</summary>
    public void Append(ReadOnlySpan<byte> chunk, Action<byte, ReadOnlySpan<byte>> frame)
    {
        if (_count + chunk.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + chunk.Length));
        }
        chunk.CopyTo(_buffer.AsSpan(_count));
        _count += chunk.Length;
        var offset = 0;
        while (TryFrame(_buffer.AsSpan(offset, _count - offset), out var headerLength, out var bodyLength))
        {
            frame(_buffer[offset], _buffer.AsSpan(offset + headerLength, bodyLength));
            offset += headerLength + bodyLength;
        }
        _buffer.AsSpan(offset, _count - offset).CopyTo(_buffer);
        _count -= offset;
    }

    private static bool TryFrame(ReadOnlySpan<byte> data, out int headerLength, out int bodyLength)
    {
        headerLength = 0;
        bodyLength = 0;
        var multiplier = 1;
        for (var i = 1; i < data.Length && i <= 4; i++)
        {
            bodyLength += (data[i] & 0x7F) * multiplier;
            if ((data[i] & 0x80) == 0)
            {
                headerLength = i + 1;
                return data.Length >= headerLength + bodyLength;
            }
            multiplier *= 128;
        }
        return false;
    }
}
