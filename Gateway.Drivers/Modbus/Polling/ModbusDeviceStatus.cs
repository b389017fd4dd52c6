namespace Gateway.Drivers.Modbus.Polling;

/// <summary>A snapshot of one device's polling for status pages.</summary>
public sealed record ModbusDeviceStatus(string DeviceId, string Link, DeviceHealth Health, long Polls, long MissedPolls, TimeSpan MaxLateness, int ReadsPerPoll);
