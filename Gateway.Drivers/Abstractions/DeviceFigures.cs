namespace Gateway.Drivers.Abstractions;

/// <summary>One device's health as <see cref="DeviceHealthRegistry"/> saw it in what the device's driver published.</summary>
/// <param name="Reason">The reason of the last <c>device.offline</c> while offline; null otherwise.</param>
/// <param name="LastGoodAt">Measurement time (wall clock, as the driver saw it) of the last good-quality reading; null if none yet.</param>
/// <param name="LastGoodTimestamp">The same reading's monotonic timestamp, so that the store's clock can date it when the wall clock was not yet set.</param>
/// <param name="BadReadings">Readings published with quality bad or uncertain.</param>
/// <param name="Polls">Polls reported by a polling driver (Modbus, BME280); 0 for devices that push (GPIO, serial sensors).</param>
/// <param name="FailedPolls">Polls in which not every read gave data.</param>
/// <param name="LastPollLatency">Duration of the last poll; null before the first or for devices that push.</param>
/// <param name="OfflineTransitions"><c>device.offline</c> events raised.</param>
public sealed record DeviceFigures(
    string Device,
    DeviceState State,
    string? Reason,
    DateTimeOffset? LastGoodAt,
    long LastGoodTimestamp,
    long GoodReadings,
    long BadReadings,
    long Polls,
    long FailedPolls,
    TimeSpan? LastPollLatency,
    long OfflineTransitions);
