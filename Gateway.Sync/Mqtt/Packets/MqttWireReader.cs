using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// Reads the MQTT data representations (MQTT 5.0 §1.5) from a packet body. Every method returns
/// false instead of reading past the end, so a truncated or lying packet can never overrun.
/// </summary>
internal ref struct MqttWireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly ReadOnlySpan<byte> Rest => _data[_position..];

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }
        value = _data[_position++];
        return true;
    }

    /// <summary>Two Byte Integer, big-endian (§1.5.2).</summary>
    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return true;
    }

    /// <summary>Four Byte Integer, big-endian (§1.5.3).</summary>
    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return true;
    }

    /// <summary>Variable Byte Integer (§1.5.5): at most four bytes.</summary>
    public bool TryReadVariableByteInteger(out int value)
    {
        var status = MqttVariableByteInteger.TryRead(_data[_position..], out value, out var length);
        if (status != MqttVariableByteInteger.Status.Ok)
        {
            return false;
        }
        _position += length;
        return true;
    }

    /// <summary>Binary Data (§1.5.6): a two-byte length and that many bytes.</summary>
    public bool TryReadBinary(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadUInt16(out var length) || Remaining < length)
        {
            return false;
        }
        value = _data.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>UTF-8 Encoded String (§1.5.4): well-formed UTF-8 without U+0000, else malformed.</summary>
    public bool TryReadString(out string value)
    {
        value = "";
        if (!TryReadBinary(out var bytes) || !IsValidMqttUtf8(bytes))
        {
            return false;
        }
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>A property block (§2.2.2): its length as a Variable Byte Integer, then the properties.</summary>
    public bool TryReadProperties(out MqttPropertyReader properties)
    {
        properties = default;
        if (!TryReadVariableByteInteger(out var length) || Remaining < length)
        {
            return false;
        }
        properties = new MqttPropertyReader(_data.Slice(_position, length));
        _position += length;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (Remaining < count)
        {
            return false;
        }
        _position += count;
        return true;
    }

    public static bool IsValidMqttUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes) && !bytes.Contains((byte)0);
}
