using System.Buffers.Binary;

namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// Encoding and decoding of request and response PDUs for function codes 1, 2, 3, 4, 5, 6, 15, 16
/// and exception responses (Modbus Application Protocol v1.1b3, sections 4.1 and 6). Pure and
/// synchronous; all multi-byte fields are big-endian.
/// </summary>
public static class ModbusPdu
{
    /// <summary>Bytes needed for <paramref name="request"/>'s PDU.</summary>
    public static int RequestLength(in ModbusRequest request) => request.Function switch
    {
        ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters => 6 + request.Values.Length,
        _ => 5,
    };

    /// <summary>Bytes of a normal response to <paramref name="request"/>.</summary>
    public static int ResponseLength(in ModbusRequest request) => request.Function switch
    {
        ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs => 2 + ((request.Count + 7) / 8),
        ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters => 2 + (request.Count * 2),
        _ => 5,
    };

    /// <summary>Checks the quantity limits of section 6; a request that fails them is never sent.</summary>
    public static bool IsValid(in ModbusRequest request)
    {
        var end = request.Address + request.Count;
        return request.Function switch
        {
            ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs =>
                request.Count is >= 1 and <= ModbusLimits.MaxReadBits && end <= 0x10000,
            ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters =>
                request.Count is >= 1 and <= ModbusLimits.MaxReadRegisters && end <= 0x10000,
            ModbusFunction.WriteSingleCoil => request.Value is 0xFF00 or 0x0000,
            ModbusFunction.WriteSingleRegister => true,
            ModbusFunction.WriteMultipleCoils =>
                request.Count is >= 1 and <= ModbusLimits.MaxWriteBits && end <= 0x10000 && request.Values.Length == (request.Count + 7) / 8,
            ModbusFunction.WriteMultipleRegisters =>
                request.Count is >= 1 and <= ModbusLimits.MaxWriteRegisters && end <= 0x10000 && request.Values.Length == request.Count * 2,
            _ => false,
        };
    }

    /// <summary>Writes the request PDU; returns its length, or 0 when the request is invalid or does not fit.</summary>
    public static int WriteRequest(in ModbusRequest request, Span<byte> destination)
    {
        var length = RequestLength(request);
        if (!IsValid(request) || destination.Length < length)
        {
            return 0;
        }
        destination[0] = (byte)request.Function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], request.Address);
        switch (request.Function)
        {
            case ModbusFunction.WriteSingleCoil:
            case ModbusFunction.WriteSingleRegister:
                BinaryPrimitives.WriteUInt16BigEndian(destination[3..], request.Value);
                break;
            case ModbusFunction.WriteMultipleCoils:
            case ModbusFunction.WriteMultipleRegisters:
                BinaryPrimitives.WriteUInt16BigEndian(destination[3..], request.Count);
                destination[5] = (byte)request.Values.Length;
                request.Values.Span.CopyTo(destination[6..]);
                break;
            default:
                BinaryPrimitives.WriteUInt16BigEndian(destination[3..], request.Count);
                break;
        }
        return length;
    }

    /// <summary>Parses a request PDU (the server side: simulators, fault-injecting fakes, the bench server).</summary>
    public static bool TryParseRequest(ReadOnlyMemory<byte> pdu, out ModbusRequest request)
    {
        request = default;
        var span = pdu.Span;
        if (span.Length < 5)
        {
            return false;
        }
        var function = (ModbusFunction)span[0];
        var address = BinaryPrimitives.ReadUInt16BigEndian(span[1..]);
        var word = BinaryPrimitives.ReadUInt16BigEndian(span[3..]);
        switch (function)
        {
            case ModbusFunction.ReadCoils:
            case ModbusFunction.ReadDiscreteInputs:
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
                request = ModbusRequest.Read(function, address, word);
                return span.Length == 5 && IsValid(request);
            case ModbusFunction.WriteSingleCoil:
            case ModbusFunction.WriteSingleRegister:
                request = new ModbusRequest(function, address, 1, word, default);
                return span.Length == 5 && IsValid(request);
            case ModbusFunction.WriteMultipleCoils:
            case ModbusFunction.WriteMultipleRegisters:
                if (span.Length < 6 || span.Length != 6 + span[5])
                {
                    return false;
                }
                request = new ModbusRequest(function, address, word, 0, pdu.Slice(6, span[5]));
                return IsValid(request);
            default:
                return false;
        }
    }

    /// <summary>
    /// Parses <paramref name="pdu"/> as the response to <paramref name="request"/>. False when it is
    /// malformed or does not answer that request (other function, wrong byte count, write echo
    /// that differs): such a frame must never be decoded into values.
    /// </summary>
    public static bool TryParseResponse(ReadOnlySpan<byte> pdu, in ModbusRequest request, out ModbusResponse response)
    {
        response = default;
        if (pdu.Length < 2)
        {
            return false;
        }
        if (pdu[0] == ((byte)request.Function | 0x80))
        {
            if (pdu.Length != 2 || pdu[1] == 0)
            {
                return false;
            }
            response = new ModbusResponse(request.Function, (ModbusExceptionCode)pdu[1], 0, 0);
            return true;
        }
        if (pdu[0] != (byte)request.Function || pdu.Length != ResponseLength(request))
        {
            return false;
        }
        if (request.IsRead)
        {
            if (pdu[1] != pdu.Length - 2)
            {
                return false;
            }
            response = new ModbusResponse(request.Function, ModbusExceptionCode.None, 2, pdu[1]);
            return true;
        }
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var word = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        var expected = request.Function is ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister ? request.Value : request.Count;
        if (address != request.Address || word != expected)
        {
            return false;
        }
        response = new ModbusResponse(request.Function, ModbusExceptionCode.None, 0, 0);
        return true;
    }

    /// <summary>Server side: a read response carrying <paramref name="data"/> (registers big-endian or packed bits).</summary>
    public static int WriteReadResponse(ModbusFunction function, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (data.Length > 250 || destination.Length < data.Length + 2)
        {
            return 0;
        }
        destination[0] = (byte)function;
        destination[1] = (byte)data.Length;
        data.CopyTo(destination[2..]);
        return data.Length + 2;
    }

    /// <summary>Server side: the normal response to a write (FC 5, 6 echo the value; FC 15, 16 the quantity).</summary>
    public static int WriteWriteResponse(in ModbusRequest request, Span<byte> destination)
    {
        if (destination.Length < 5)
        {
            return 0;
        }
        destination[0] = (byte)request.Function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], request.Address);
        var word = request.Function is ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister ? request.Value : request.Count;
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], word);
        return 5;
    }

    public static int WriteExceptionResponse(ModbusFunction function, ModbusExceptionCode code, Span<byte> destination)
    {
        if (destination.Length < 2)
        {
            return 0;
        }
        destination[0] = (byte)((byte)function | 0x80);
        destination[1] = (byte)code;
        return 2;
    }

    /// <summary>Text for a reading's quality reason, e.g. <c>exception 2 (illegal data address)</c>.</summary>
    public static string Describe(ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "exception 1 (illegal function)",
        ModbusExceptionCode.IllegalDataAddress => "exception 2 (illegal data address)",
        ModbusExceptionCode.IllegalDataValue => "exception 3 (illegal data value)",
        ModbusExceptionCode.ServerDeviceFailure => "exception 4 (server device failure)",
        ModbusExceptionCode.Acknowledge => "exception 5 (acknowledge)",
        ModbusExceptionCode.ServerDeviceBusy => "exception 6 (server device busy)",
        ModbusExceptionCode.MemoryParityError => "exception 8 (memory parity error)",
        ModbusExceptionCode.GatewayPathUnavailable => "exception 10 (gateway path unavailable)",
        ModbusExceptionCode.GatewayTargetFailedToRespond => "exception 11 (gateway target failed to respond)",
        _ => $"exception {(byte)code}",
    };
}
