namespace Gateway.Drivers.Modbus;

/// <summary>
/// "Read now" for commissioning: one read of every configured point of a device, outside its poll
/// schedule, answering the decoded values beside the raw registers (or bits) they came from. It
/// takes its turn on the device's link like a poll; nothing it reads goes to the store.
/// </summary>
public interface IModbusReader
{
    /// <returns>Null when there is no Modbus device <paramref name="deviceId"/>.</returns>
    ValueTask<ModbusReadOnce?> ReadOnceAsync(string deviceId, CancellationToken cancellationToken);
}

/// <summary>The outcome of one <see cref="IModbusReader.ReadOnceAsync"/>: a line per point, in configuration order.</summary>
public sealed record ModbusReadOnce(string DeviceId, byte UnitId, DateTimeOffset ReadAt, IReadOnlyList<ModbusPointRead> Points);

/// <param name="Raw">The point's registers as 4-digit hex words ("0x41C8 0x0000"), or its bit ("0"/"1"); null when the read failed.</param>
/// <param name="Value">The decoded engineering value (scale and offset applied); <see cref="ReadingValue.None"/> when the read failed or the registers hold NaN/∞.</param>
/// <param name="Error">Why there is no value (timeout, a Modbus exception, connection failed…); null on success.</param>
public sealed record ModbusPointRead(string Name, string Table, int Address, string Type, string? Unit, string? Raw, ReadingValue Value, string? Error);
