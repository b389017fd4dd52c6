using System.Buffers.Binary;
using System.Text;

namespace Gateway.Sync.Mqtt.Packets;

/// <summary>
/// Writes the MQTT data representations (MQTT 5.0 §1.5) into a span sized beforehand with the
/// matching <c>SizeOf…</c> helpers, so encoding never allocates or grows a buffer.
/// </summary>
internal ref struct MqttWireWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Position { get; private set; }

    public static int SizeOfString(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    public static int SizeOfBinary(ReadOnlySpan<byte> value) => 2 + value.Length;

    /// <summary>A property block: its Variable Byte Integer length prefix plus the properties themselves.</summary>
    public static int SizeOfProperties(int propertiesLength) => MqttVariableByteInteger.SizeOf(propertiesLength) + propertiesLength;

    public void WriteByte(byte value) => _destination[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Position..], value);
        Position += 4;
    }

    public void WriteVariableByteInteger(int value) => Position += MqttVariableByteInteger.Write(_destination[Position..], value);

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetBytes(value, _destination[(Position + 2)..]);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("an MQTT string holds at most 65535 bytes", nameof(value));
        }
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], (ushort)length);
        Position += 2 + length;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException("MQTT binary data holds at most 65535 bytes", nameof(value));
        }
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[Position..]);
        Position += value.Length;
    }

    public void WriteByteProperty(MqttPropertyId id, byte value)
    {
        WriteByte((byte)id);
        WriteByte(value);
    }

    public void WriteUInt16Property(MqttPropertyId id, ushort value)
    {
        WriteByte((byte)id);
        WriteUInt16(value);
    }

    public void WriteUInt32Property(MqttPropertyId id, uint value)
    {
        WriteByte((byte)id);
        WriteUInt32(value);
    }

    public void WriteStringProperty(MqttPropertyId id, string value)
    {
        WriteByte((byte)id);
        WriteString(value);
    }
}
