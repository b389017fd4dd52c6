using System.Buffers.Binary;

namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// The 7-byte MBAP header of Modbus TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b,
/// section 3.1.3): transaction id, protocol id 0, length (unit id + PDU), unit id; big-endian.
/// </summary>
public readonly record struct MbapHeader(ushort TransactionId, ushort ProtocolId, ushort Length, byte UnitId)
{
    public const int Size = 7;

    public int PduLength => Length - 1;

    public static void Write(ushort transactionId, byte unitId, int pduLength, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pduLength + 1));
        destination[6] = unitId;
    }

    /// <summary>False when too short, protocol id is not 0 or the length is outside 2..254.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out MbapHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return false;
        }
        header = new MbapHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            source[6]);
        return header.ProtocolId == 0 && header.Length is >= 2 and <= ModbusLimits.MaxPduLength + 1;
    }
}
