namespace Gateway.Drivers.Modbus;

public enum ModbusWriteStatus : byte
{
    Written,
    UnknownDevice,
    UnknownPoint,
    /// <summary>The point is not declared <c>writable</c> (or its table is read-only).</summary>
    NotWritable,
    /// <summary>The value does not fit the point's type, or the point is a bit field.</summary>
    InvalidValue,
    /// <summary>The device answered with an exception or did not answer; see the message.</summary>
    Failed,
}
