namespace Gateway.Drivers.Gpio;

/// <summary>A confirmed level change: the new logical level and the time of the edge that began it.</summary>
internal readonly record struct DebouncedChange(bool Active, long ChangedAtNs);
