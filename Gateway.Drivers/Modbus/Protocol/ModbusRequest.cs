namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>
/// One request PDU. Reads (FC 1–4) use <see cref="Address"/> and <see cref="Count"/>; FC 5 and 6
/// use <see cref="Value"/> (FC 5: 0xFF00 on, 0x0000 off); FC 15 and 16 use <see cref="Count"/>
/// and <see cref="Values"/> (FC 15: coils packed LSB first; FC 16: registers big-endian).
/// </summary>
public readonly record struct ModbusRequest(ModbusFunction Function, ushort Address, ushort Count, ushort Value, ReadOnlyMemory<byte> Values)
{
    public static ModbusRequest Read(ModbusFunction function, ushort address, ushort count) => new(function, address, count, 0, default);

    public static ModbusRequest WriteSingleCoil(ushort address, bool on) => new(ModbusFunction.WriteSingleCoil, address, 1, on ? (ushort)0xFF00 : (ushort)0, default);

    public static ModbusRequest WriteSingleRegister(ushort address, ushort value) => new(ModbusFunction.WriteSingleRegister, address, 1, value, default);

    public static ModbusRequest WriteMultipleCoils(ushort address, ushort count, ReadOnlyMemory<byte> packed) => new(ModbusFunction.WriteMultipleCoils, address, count, 0, packed);

    public static ModbusRequest WriteMultipleRegisters(ushort address, ReadOnlyMemory<byte> bigEndianRegisters) =>
        new(ModbusFunction.WriteMultipleRegisters, address, (ushort)(bigEndianRegisters.Length / 2), 0, bigEndianRegisters);

    public bool IsRead => Function is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs
        or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters;

    public bool IsBitRead => Function is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs;
}
