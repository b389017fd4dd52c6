using System.Buffers.Binary;

namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// RTU framing: address, PDU, CRC-16 low byte first (Modbus over Serial Line v1.02, section 2.5.1).
/// Also used for RTU over TCP (serial servers in transparent mode).
/// </summary>
public static class RtuFrame
{
    public const int Overhead = 3;

    /// <summary>Writes address + <paramref name="pdu"/> + CRC; returns the frame length, 0 if it does not fit.</summary>
    public static int Write(byte unitId, ReadOnlySpan<byte> pdu, Span<byte> destination)
    {
        var length = pdu.Length + Overhead;
        if (destination.Length < length)
        {
            return 0;
        }
        destination[0] = unitId;
        pdu.CopyTo(destination[1..]);
        var crc = Crc16.Compute(destination[..(length - 2)]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(length - 2)..], crc);
        return length;
    }

    /// <summary>Checks the CRC of a complete frame and splits it; false on a CRC mismatch or a frame too short.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out byte unitId, out ReadOnlySpan<byte> pdu)
    {
        unitId = 0;
        pdu = default;
        if (frame.Length < 4)
        {
            return false;
        }
        var crc = BinaryPrimitives.ReadUInt16LittleEndian(frame[^2..]);
        if (crc != Crc16.Compute(frame[..^2]))
        {
            return false;
        }
        unitId = frame[0];
        pdu = frame[1..^2];
        return true;
    }

    /// <summary>
    /// Length of the whole response frame, known from its first bytes (address, function, and for
    /// reads the byte count); 0 while more bytes are needed to tell. RTU has no length field, so
    /// the master uses this rather than timing the t3.5 gap from user space, which a
    /// non-real-time Linux cannot do reliably.
    /// </summary>
    public static int ExpectedResponseLength(ReadOnlySpan<byte> head)
    {
        if (head.Length < 2)
        {
            return 0;
        }
        var function = head[1];
        if ((function & 0x80) != 0)
        {
            return 5;
        }
        switch ((ModbusFunction)function)
        {
            case ModbusFunction.ReadCoils:
            case ModbusFunction.ReadDiscreteInputs:
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
                return head.Length < 3 ? 0 : 5 + head[2];
            default:
                return 8;
        }
    }

    /// <summary>Length of a whole request frame from its first bytes (server side); 0 while unknown.</summary>
    public static int ExpectedRequestLength(ReadOnlySpan<byte> head)
    {
        if (head.Length < 2)
        {
            return 0;
        }
        return (ModbusFunction)head[1] switch
        {
            ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters => head.Length < 7 ? 0 : 9 + head[6],
            _ => 8,
        };
    }
}
