using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;

namespace Gateway.Host.Health;

/// <summary>The node's figures at one moment: what the health topic, <c>/metrics</c> and the <c>status</c> reply show.</summary>
/// <param name="Ts">Now, or null while the time is not known (never 1970).</param>
/// <param name="ClockKnown">The store can date what is measured now (a time source vouched for the clock or gave a reference time).</param>
/// <param name="BacklogRecords">Readings and events held in the store, not yet acknowledged by the broker (or acknowledged since the last acknowledgement flush).</param>
/// <param name="OldestAge">Age of the oldest dated record held; null when none is.</param>
/// <param name="DroppedTotal">Readings and events the store dropped to stay in its budget (or found undecodable), since it was created.</param>
/// <param name="CpuPercent">Process CPU over the time since the previous sample, in percent of one core; null for the first sample.</param>
public sealed record NodeHealth(
    DateTimeOffset? Ts,
    TimeSpan Uptime,
    bool ClockKnown,
    long BacklogRecords,
    TimeSpan? OldestAge,
    long DroppedTotal,
    IReadOnlyList<NodeHealth.Device> Devices,
    IReadOnlyList<CameraFigures> Cameras,
    double? CpuPercent,
    TimeSpan CpuTime,
    long? ResidentBytes,
    long? DiskFreeBytes,
    MqttConnectionState Uplink,
    StoreStatistics Store)
{
    /// <summary>A device's figures with its last good reading dated by the store's clock (null while that time is unknown).</summary>
    public sealed record Device(DeviceFigures Figures, DateTimeOffset? LastGoodTs);
}
