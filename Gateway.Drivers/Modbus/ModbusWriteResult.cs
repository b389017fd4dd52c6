namespace Gateway.Drivers.Modbus;

public sealed record ModbusWriteResult(ModbusWriteStatus Status, string Message)
{
    public bool Ok => Status == ModbusWriteStatus.Written;
}
