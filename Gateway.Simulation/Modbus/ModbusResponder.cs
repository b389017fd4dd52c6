using System.Buffers.Binary;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Simulation.Modbus;

/// <summary>
/// Answers request PDUs (Modbus Application Protocol v1.1b3) from a <see cref="ModbusRegisterMap"/>:
/// the one answering logic of the TCP server and the pty RTU slave. One per connection or line, for
/// its buffers are reused, so a steady poll costs no allocation.
/// </summary>
internal sealed class ModbusResponder(ModbusRegisterMap map)
{
    private readonly ushort[] _registers = new ushort[126]; // 2000 coils span 126 registers when unaligned
    private readonly byte[] _data = new byte[250];

    /// <summary>A response PDU's worth of room, for callers that frame the answer afterwards (RTU).</summary>
    public byte[] Pdu { get; } = new byte[ModbusLimits.MaxPduLength];

    /// <summary>Writes the response PDU for a request PDU; returns its length.</summary>
    public int Answer(ReadOnlyMemory<byte> pdu, Span<byte> destination)
    {
        if (!ModbusPdu.TryParseRequest(pdu, out var request))
        {
            return ModbusPdu.WriteExceptionResponse((ModbusFunction)pdu.Span[0], ModbusExceptionCode.IllegalFunction, destination);
        }
        if (!request.IsRead)
        {
            return Write(request, destination);
        }
        var first = request.IsBitRead ? request.Address / 16 : request.Address;
        var end = request.IsBitRead ? (request.Address + request.Count + 15) / 16 : request.Address + request.Count;
        if (end > map.Count)
        {
            return ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalDataAddress, destination);
        }
        var registers = _registers.AsSpan(0, end - first);
        map.Read(first, registers);
        var data = _data.AsSpan(0, request.IsBitRead ? (request.Count + 7) / 8 : request.Count * 2);
        if (request.IsBitRead)
        {
            data.Clear();
            for (var i = 0; i < request.Count; i++)
            {
                var bit = request.Address + i;
                data[i / 8] |= (byte)(((registers[(bit / 16) - first] >> (bit % 16)) & 1) << (i % 8));
            }
        }
        else
        {
            for (var i = 0; i < registers.Length; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(data[(i * 2)..], registers[i]);
            }
        }
        return ModbusPdu.WriteReadResponse(request.Function, data, destination);
    }

    private int Write(in ModbusRequest request, Span<byte> destination)
    {
        if (!map.IsWritable)
        {
            return ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalFunction, destination);
        }
        if (request.Function is ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleRegisters && request.Address + request.Count > map.Count)
        {
            return ModbusPdu.WriteExceptionResponse(request.Function, ModbusExceptionCode.IllegalDataAddress, destination);
        }
        if (request.Function == ModbusFunction.WriteSingleRegister)
        {
            map.Write(request.Address, request.Value);
        }
        else if (request.Function == ModbusFunction.WriteMultipleRegisters)
        {
            for (var i = 0; i < request.Count; i++)
            {
                map.Write(request.Address + i, BinaryPrimitives.ReadUInt16BigEndian(request.Values.Span[(i * 2)..]));
            }
        }
        return ModbusPdu.WriteWriteResponse(request, destination);
    }
}
