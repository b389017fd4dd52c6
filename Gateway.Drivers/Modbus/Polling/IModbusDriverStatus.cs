using Gateway.Drivers.Modbus.Transport;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>Polling state for status pages and tests.</summary>
public interface IModbusDriverStatus
{
    IReadOnlyList<ModbusDeviceStatus> GetStatus();

    /// <summary>Fault counters of the link that <paramref name="deviceId"/> is polled over.</summary>
    ModbusLinkCounters? CountersOf(string deviceId);
}
