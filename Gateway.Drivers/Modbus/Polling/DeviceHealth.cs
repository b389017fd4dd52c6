namespace Gateway.Drivers.Modbus.Polling;

public enum DeviceHealth : byte
{
    /// <summary>Not polled yet.</summary>
    Unknown,
    Online,
    /// <summary>Stopped answering: probed with back-off, one attempt per probe.</summary>
    Offline,
}
