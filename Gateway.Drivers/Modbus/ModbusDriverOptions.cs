namespace Gateway.Drivers.Modbus;

/// <summary>What the Modbus driver polls: the configuration's devices (those of type <c>modbus</c> are used, profile points already merged) and buses.</summary>
public sealed class ModbusDriverOptions
{
    public IList<DeviceOptions> Devices { get; set; } = [];

    public IList<BusOptions> Buses { get; set; } = [];

    /// <summary>Upper bound of the back-off between probes of an offline device (at least its poll interval).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);
}
