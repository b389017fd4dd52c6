namespace Gateway.Sync.Store;

/// <summary>
/// When a stored record was measured. <see cref="Timestamp"/> is null while time was not known
/// at measurement (<see cref="IClockSync.TimeOf"/>) and the record was not dated since (SPEC
/// section 3: never 1970, never before the floor); then
/// <see cref="BootId"/> and <see cref="UptimeMilliseconds"/> say when it was.
/// </summary>
public readonly record struct RecordTime(DateTimeOffset? Timestamp, string? BootId, long? UptimeMilliseconds, DateTimeOffset? StoredAt)
{
    public bool IsSynchronized => Timestamp is not null;
}
