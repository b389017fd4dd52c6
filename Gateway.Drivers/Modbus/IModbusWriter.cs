namespace Gateway.Drivers.Modbus;

/// <summary>
/// Writes to Modbus points for commands (function code 5 for a coil, 6 for a one-register
/// value, 16 for wider values). Refused unless the point is declared <c>writable</c>. The write
/// takes its turn on the device's link like a poll (one transaction at a time per bus).
/// </summary>
public interface IModbusWriter
{
    /// <param name="value">Engineering value: scale and offset are inverted before encoding; for a coil, 0 is off and anything else on.</param>
    ValueTask<ModbusWriteResult> WriteAsync(string deviceId, string pointName, double value, CancellationToken cancellationToken);
}
