namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// A parsed response PDU: either an exception (<see cref="ExceptionCode"/> set) or a normal
/// answer, whose read data (register bytes big-endian, or coils packed LSB first) lies at
/// <see cref="DataOffset"/>/<see cref="DataLength"/> in the PDU it was parsed from.
/// </summary>
public readonly record struct ModbusResponse(ModbusFunction Function, ModbusExceptionCode ExceptionCode, int DataOffset, int DataLength)
{
    public bool IsException => ExceptionCode != ModbusExceptionCode.None;
}
