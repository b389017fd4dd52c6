namespace Gateway.Drivers.Modbus.Protocol;

/// <summary>Quantity limits per request (Modbus Application Protocol v1.1b3, sections 6.1–6.12).</summary>
public static class ModbusLimits
{
    public const int MaxReadBits = 2000;
    public const int MaxReadRegisters = 125;
    public const int MaxWriteBits = 1968;
    public const int MaxWriteRegisters = 123;

    /// <summary>A PDU is at most 253 bytes (256-byte RTU ADU minus address and CRC).</summary>
    public const int MaxPduLength = 253;
}
